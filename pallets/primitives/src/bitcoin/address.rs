//! Bitcoin addresses, parsed into the output scripts they stand for.
//!
//! A payout to an address is, on the Bitcoin chain, an output whose `scriptPubKey` is the
//! address's script; proofs match scripts byte for byte, so the chain stores scripts, not
//! address strings. Five standard kinds are accepted:
//!
//! | kind | address | script |
//! | --- | --- | --- |
//! | P2PKH | base58check, version `0x00` (`0x6f` test networks) | `OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG` |
//! | P2SH | base58check, version `0x05` (`0xc4`) | `OP_HASH160 <20> OP_EQUAL` |
//! | P2WPKH | bech32 (BIP-173), witness v0, 20-byte program | `OP_0 <20>` |
//! | P2WSH | bech32, witness v0, 32-byte program | `OP_0 <32>` |
//! | P2TR | bech32m (BIP-350), witness v1, 32-byte program | `OP_1 <32>` |
//!
//! Base58check's checksum is the first four bytes of the double SHA-256 of version and
//! payload; bech32 and bech32m use the BCH checksum of BIP-173 with the constants 1 and
//! `0x2bc830a3`. Anything else (other witness versions or lengths, bare multisig, `OP_RETURN`)
//! is refused as [`AddressError::UnsupportedScript`], so a facility cannot register a script
//! that no payout could ever pay.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{sp_core::ConstU32, sp_io::hashing::sha2_256, sp_runtime::BoundedVec};
use scale_info::TypeInfo;

/// Longest standard output script a payout address stands for (P2WSH and P2TR: 34 bytes).
pub const MAX_SCRIPT_LEN: u32 = 34;
/// Longest address string accepted (BIP-173's limit on a bech32 string).
pub const MAX_ADDRESS_LEN: usize = 90;

/// An output script (`scriptPubKey`) of one of the standard kinds.
pub type OutputScript = BoundedVec<u8, ConstU32<MAX_SCRIPT_LEN>>;

/// The Bitcoin network addresses are written for: it fixes the base58 version bytes and the
/// bech32 human-readable part.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum AddressNetwork {
	/// Bitcoin: `1…`, `3…`, `bc1…`.
	#[default]
	Mainnet,
	/// Testnet 3 / 4 and signet: `m…`/`n…`, `2…`, `tb1…`.
	Testnet,
	/// Regtest: `m…`/`n…`, `2…`, `bcrt1…`.
	Regtest,
}

impl AddressNetwork {
	/// Base58 version byte of P2PKH addresses.
	pub fn p2pkh_version(self) -> u8 {
		match self {
			Self::Mainnet => 0x00,
			Self::Testnet | Self::Regtest => 0x6f,
		}
	}

	/// Base58 version byte of P2SH addresses.
	pub fn p2sh_version(self) -> u8 {
		match self {
			Self::Mainnet => 0x05,
			Self::Testnet | Self::Regtest => 0xc4,
		}
	}

	/// Human-readable part of segwit addresses.
	pub fn hrp(self) -> &'static str {
		match self {
			Self::Mainnet => "bc",
			Self::Testnet => "tb",
			Self::Regtest => "bcrt",
		}
	}
}

/// The kind of a standard output script.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum ScriptKind {
	/// Pay to public-key hash.
	P2pkh,
	/// Pay to script hash.
	P2sh,
	/// Pay to witness public-key hash.
	P2wpkh,
	/// Pay to witness script hash.
	P2wsh,
	/// Pay to taproot.
	P2tr,
}

impl ScriptKind {
	/// The kind of `script`, if it is one of the standard kinds.
	pub fn of(script: &[u8]) -> Option<Self> {
		match script {
			[0x76, 0xa9, 0x14, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, 0x88, 0xac] => {
				Some(Self::P2pkh)
			},
			[0xa9, 0x14, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, 0x87] => {
				Some(Self::P2sh)
			},
			[0x00, 0x14, rest @ ..] if rest.len() == 20 => Some(Self::P2wpkh),
			[0x00, 0x20, rest @ ..] if rest.len() == 32 => Some(Self::P2wsh),
			[0x51, 0x20, rest @ ..] if rest.len() == 32 => Some(Self::P2tr),
			_ => None,
		}
	}

	/// Whether a single key controls the script (P2PKH, P2WPKH, P2TR key path), so that a
	/// signature by that key can show ownership.
	pub fn is_key_path(self) -> bool {
		matches!(self, Self::P2pkh | Self::P2wpkh | Self::P2tr)
	}

	/// Whether a spend from a script of this kind shows the script only in its witness
	/// (P2WPKH's key, P2WSH's witness script), which a txid does not commit to. (A taproot
	/// spend does not show its script at all; the others show it in the script.)
	pub fn shown_by_witness(self) -> bool {
		matches!(self, Self::P2wpkh | Self::P2wsh)
	}
}

/// Why an address is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AddressError {
	/// Not an address: empty, too long, mixed case, a character outside the alphabet, a wrong
	/// length or padding, an unknown version byte.
	Malformed,
	/// Well formed, but its checksum does not match: a typo.
	Checksum,
	/// A valid address of another Bitcoin network.
	WrongNetwork,
	/// A valid segwit address of a witness version or program length no payout is accepted to.
	UnsupportedScript,
}

/// Parses `address` (ASCII) for `network` into its script kind and output script.
pub fn parse_address(
	address: &[u8],
	network: AddressNetwork,
) -> Result<(ScriptKind, OutputScript), AddressError> {
	if address.is_empty() || address.len() > MAX_ADDRESS_LEN {
		return Err(AddressError::Malformed);
	}
	let (kind, script) = match segwit_hrp(address) {
		Some(hrp) => {
			let (version, program) = decode_segwit(address)?;
			if !hrp.eq_ignore_ascii_case(network.hrp().as_bytes()) {
				return Err(AddressError::WrongNetwork);
			}
			let kind = match (version, program.len()) {
				(0, 20) => ScriptKind::P2wpkh,
				(0, 32) => ScriptKind::P2wsh,
				(1, 32) => ScriptKind::P2tr,
				_ => return Err(AddressError::UnsupportedScript),
			};
			let mut script = alloc::vec::Vec::with_capacity(program.len().saturating_add(2));
			script.push(if version == 0 { 0x00 } else { 0x50 + version });
			script.push(program.len() as u8);
			script.extend_from_slice(&program);
			(kind, script)
		},
		None => {
			let (version, hash) = decode_base58check(address)?;
			if version == network.p2pkh_version() {
				let mut script = alloc::vec![0x76, 0xa9, 0x14];
				script.extend_from_slice(&hash);
				script.extend_from_slice(&[0x88, 0xac]);
				(ScriptKind::P2pkh, script)
			} else if version == network.p2sh_version() {
				let mut script = alloc::vec![0xa9, 0x14];
				script.extend_from_slice(&hash);
				script.push(0x87);
				(ScriptKind::P2sh, script)
			} else if [0x00, 0x05, 0x6f, 0xc4].contains(&version) {
				return Err(AddressError::WrongNetwork);
			} else {
				return Err(AddressError::Malformed);
			}
		},
	};
	let script = OutputScript::try_from(script).map_err(|_| AddressError::UnsupportedScript)?;
	Ok((kind, script))
}

/// The human-readable part if `address` is written as a segwit address of one of the networks
/// (`bc1…`, `tb1…`, `bcrt1…`, either case). No base58 address of these networks starts with
/// `b` or `t`, so the two forms cannot be confused.
fn segwit_hrp(address: &[u8]) -> Option<&[u8]> {
	let separator = address.iter().rposition(|&c| c == b'1')?;
	let hrp = address.get(..separator)?;
	[b"bc".as_slice(), b"tb", b"bcrt"]
		.iter()
		.any(|known| hrp.eq_ignore_ascii_case(known))
		.then_some(hrp)
}

const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

fn bech32_polymod(values: impl Iterator<Item = u8>) -> u32 {
	const GENERATOR: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
	let mut checksum: u32 = 1;
	for value in values {
		let top = checksum >> 25;
		checksum = ((checksum & 0x01ff_ffff) << 5) ^ u32::from(value);
		for (i, generator) in GENERATOR.iter().enumerate() {
			if (top >> i) & 1 == 1 {
				checksum ^= generator;
			}
		}
	}
	checksum
}

/// Decodes a segwit address (BIP-173 / BIP-350) into witness version and program; the
/// human-readable part is checked by the caller.
fn decode_segwit(address: &[u8]) -> Result<(u8, alloc::vec::Vec<u8>), AddressError> {
	let has_lower = address.iter().any(u8::is_ascii_lowercase);
	let has_upper = address.iter().any(u8::is_ascii_uppercase);
	if has_lower && has_upper || address.iter().any(|c| !(33..=126).contains(c)) {
		return Err(AddressError::Malformed);
	}
	let separator = address.iter().rposition(|&c| c == b'1').ok_or(AddressError::Malformed)?;
	let hrp = &address[..separator];
	let data_part = &address[separator.saturating_add(1)..];
	// A witness version, at least two program bytes (four characters) and six of checksum.
	if hrp.is_empty() || data_part.len() < 1 + 4 + 6 {
		return Err(AddressError::Malformed);
	}
	let mut data = alloc::vec::Vec::with_capacity(data_part.len());
	for c in data_part {
		let value = BECH32_CHARSET
			.iter()
			.position(|x| *x == c.to_ascii_lowercase())
			.ok_or(AddressError::Malformed)?;
		data.push(value as u8);
	}
	let hrp_lower = hrp.iter().map(u8::to_ascii_lowercase);
	let expanded = hrp_lower
		.clone()
		.map(|c| c >> 5)
		.chain(core::iter::once(0))
		.chain(hrp_lower.map(|c| c & 31))
		.chain(data.iter().copied());
	let residue = bech32_polymod(expanded);
	let version = data[0];
	if version > 16 {
		return Err(AddressError::Malformed);
	}
	let expected = if version == 0 { BECH32_CONST } else { BECH32M_CONST };
	if residue != expected {
		return Err(AddressError::Checksum);
	}
	let payload = &data[1..data.len().saturating_sub(6)];
	let program = convert_5_to_8(payload).ok_or(AddressError::Malformed)?;
	if !(2..=40).contains(&program.len()) || version == 0 && ![20, 32].contains(&program.len()) {
		return Err(AddressError::Malformed);
	}
	Ok((version, program))
}

/// Regroups 5-bit values into bytes; leftover bits must be fewer than five and zero.
fn convert_5_to_8(values: &[u8]) -> Option<alloc::vec::Vec<u8>> {
	let mut out = alloc::vec::Vec::with_capacity(values.len().saturating_mul(5) / 8);
	let (mut accumulator, mut bits) = (0u32, 0u32);
	for &value in values {
		accumulator = (accumulator << 5) | u32::from(value);
		bits = bits.saturating_add(5);
		while bits >= 8 {
			bits = bits.saturating_sub(8);
			out.push((accumulator >> bits) as u8);
		}
		accumulator &= (1 << bits) - 1;
	}
	(bits < 5 && accumulator == 0).then_some(out)
}

const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Decodes a base58check address of a 20-byte hash: version byte and hash.
fn decode_base58check(address: &[u8]) -> Result<(u8, [u8; 20]), AddressError> {
	// 25 bytes: version, hash, checksum. Big-endian base-256 digits of the number.
	let mut bytes = [0u8; 25];
	let leading_ones = address.iter().take_while(|&&c| c == b'1').count();
	for &c in address {
		let mut carry =
			BASE58_ALPHABET.iter().position(|x| *x == c).ok_or(AddressError::Malformed)? as u32;
		for byte in bytes.iter_mut().rev() {
			carry = carry.saturating_add(u32::from(*byte).saturating_mul(58));
			*byte = (carry & 0xff) as u8;
			carry >>= 8;
		}
		if carry != 0 {
			return Err(AddressError::Malformed);
		}
	}
	// Each leading '1' stands for one leading zero byte, and no other zero byte leads.
	let leading_zeros = bytes.iter().take_while(|&&b| b == 0).count();
	if leading_zeros != leading_ones {
		return Err(AddressError::Malformed);
	}
	let (payload, checksum) = bytes.split_at(21);
	let digest = sha2_256(&sha2_256(payload));
	if checksum != &digest[..4] {
		return Err(AddressError::Checksum);
	}
	let mut hash = [0u8; 20];
	hash.copy_from_slice(&payload[1..]);
	Ok((payload[0], hash))
}

#[cfg(test)]
mod tests {
	use super::*;
	use AddressError::*;
	use AddressNetwork::*;

	fn hex(s: &str) -> alloc::vec::Vec<u8> {
		(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
	}

	fn script(
		address: &str,
		network: AddressNetwork,
	) -> Result<(ScriptKind, String), AddressError> {
		parse_address(address.as_bytes(), network)
			.map(|(kind, script)| (kind, script.iter().map(|b| format!("{b:02x}")).collect()))
	}

	/// The coinbases of mainnet blocks 831,328 ..= 831,335 (testdata/bitcoin/README.md) with
	/// their txids (display order) and who mined them.
	const COINBASES_831328: [(&[u8], &str, &str); 8] = [
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831328.tx"),
			"dcfafc95ab3d643e0b03b8be50290d9a6f947e87bc54a710e893168403547227",
			"Foundry USA",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831329.tx"),
			"e65bd9e7feebd5d04d7f12c6adea890b6187b7f0dac3133dc7674b661db24f15",
			"Foundry USA",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831330.tx"),
			"a24e52d929b3f0a4d77a49e97ee3d2d3767877cece3ab03291ec55286dd9e737",
			"AntPool",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831331.tx"),
			"a9f4d3ce5a1d031f16d589bb2d7f1775fbbd3c6efc0cc6f0f779072224dfd33b",
			"F2Pool",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831332.tx"),
			"fbeb4a74a272da2a12321aa40039f900b5d39be1c0a5611d394ca2ac349918a0",
			"Foundry USA",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831333.tx"),
			"27208b6be01e82faa41756f8658973ba3440c765aa0306ed89e49d478bea6b6d",
			"Foundry USA",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831334.tx"),
			"510ef50a63d0061b44d573603ed2d520e2610adc30b4977bf531a86157f2c7de",
			"Foundry USA",
		),
		(
			include_bytes!("../../../../testdata/bitcoin/coinbase-831335.tx"),
			"6741ecd12a8adf186fb6bcd419fe57ca0aee6952e84fc4fcc28dc8cbc7f5c62c",
			"Luxor",
		),
	];

	/// Sats the outputs of `raw` (a whole transaction, parsed) pay to `script`.
	fn paid_to(raw: &[u8], script: &[u8]) -> u64 {
		let tx = crate::bitcoin::transaction::Transaction::parse(raw).unwrap();
		tx.outputs.iter().filter(|o| o.script_pubkey == script).map(|o| o.value).sum()
	}

	fn display(hash: &[u8]) -> String {
		hash.iter().rev().map(|b| format!("{b:02x}")).collect()
	}

	#[test]
	fn real_pool_addresses_parse_to_the_scripts_their_coinbases_pay() {
		// AntPool, paid by the coinbases of blocks 830,000 and 831,330.
		let (kind, antpool) = script("38XnPvu9PmonFU9WouPXUjYbW91wa5MerL", Mainnet).unwrap();
		assert_eq!(
			(kind, antpool.as_str()),
			(ScriptKind::P2sh, "a9144b09d828dfc8baaba5d04ee77397e04b1050cc7387")
		);
		let antpool = hex(&antpool);
		let coinbase_830000 = include_bytes!("../../../../testdata/bitcoin/coinbase-830000.tx");
		assert_eq!(paid_to(coinbase_830000, &antpool), 648_267_494);
		// Foundry USA: its P2WPKH script is the first output of every coinbase it mined in
		// 831,328 ..= 831,335, and of no other pool's.
		let (kind, foundry) =
			script("bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj", Mainnet).unwrap();
		assert_eq!(
			(kind, foundry.as_str()),
			(ScriptKind::P2wpkh, "001435f6de260c9f3bdee47524c473a6016c0c055cb9")
		);
		let foundry = hex(&foundry);
		let paid: alloc::vec::Vec<(u64, u64)> = COINBASES_831328
			.iter()
			.map(|(raw, txid, _)| {
				let tx = crate::bitcoin::transaction::Transaction::parse(raw).unwrap();
				assert!(tx.is_coinbase());
				assert_eq!(display(&tx.txid.0), *txid);
				(paid_to(raw, &foundry), paid_to(raw, &antpool))
			})
			.collect();
		assert_eq!(
			paid,
			[
				(641_343_420, 0),
				(648_143_585, 0),
				(0, 653_454_590),
				(0, 0),
				(643_637_926, 0),
				(642_304_880, 0),
				(648_658_475, 0),
				(0, 0),
			]
		);
		for ((_, _, pool), (to_foundry, _)) in COINBASES_831328.iter().zip(&paid) {
			assert_eq!(*pool == "Foundry USA", *to_foundry > 0, "{pool}");
		}
	}

	/// Block 831,332 (Foundry's): its `gettxoutproof` of seven transactions checks against its
	/// header, which links into 831,328 ..= 831,335; the coinbase paying Foundry is among them.
	#[test]
	fn the_proof_of_seven_transactions_of_831332_checks_against_its_linked_header() {
		use crate::bitcoin::transaction::{double_sha256, MerkleBlock, Transaction};
		let headers = include_bytes!("../../../../testdata/bitcoin/headers-831328-831335.bin");
		let header = |i: usize| -> [u8; 80] { headers[80 * i..80 * i + 80].try_into().unwrap() };
		for i in 1..8 {
			assert_eq!(header(i)[4..36], double_sha256(&header(i - 1)).0, "linked");
		}
		assert_eq!(
			display(&double_sha256(&header(4)).0),
			"00000000000000000000a4c01889bd8c5aeb480a3ab3a2174efa8ba2520a7657"
		);
		let proof = include_bytes!(
			"../../../../testdata/bitcoin/txoutproof-831332-0_1_15_20_115_2019_2024.bin"
		);
		let block = MerkleBlock::parse(proof).unwrap();
		assert_eq!(block.header, header(4));
		assert_eq!(block.total, 2_355);
		let transactions: [(u32, &[u8]); 7] = [
			(0, COINBASES_831328[4].0),
			(1, include_bytes!("../../../../testdata/bitcoin/tx-831332-1.tx")),
			(15, include_bytes!("../../../../testdata/bitcoin/tx-831332-15.tx")),
			(20, include_bytes!("../../../../testdata/bitcoin/tx-831332-20.tx")),
			(115, include_bytes!("../../../../testdata/bitcoin/tx-831332-115.tx")),
			(2_019, include_bytes!("../../../../testdata/bitcoin/tx-831332-2019.tx")),
			(2_024, include_bytes!("../../../../testdata/bitcoin/tx-831332-2024.tx")),
		];
		let expected: alloc::vec::Vec<_> = transactions
			.iter()
			.map(|(index, raw)| (Transaction::parse(raw).unwrap().txid, *index))
			.collect();
		assert_eq!(block.matches, expected);
		// One flipped byte in the first hash (after the header, the count and the hashes'
		// length): the root no longer matches.
		let mut forged = proof.to_vec();
		forged[80 + 4 + 1 + 7] ^= 1;
		assert_eq!(
			MerkleBlock::parse(&forged),
			Err(crate::bitcoin::transaction::ProofError::RootMismatch)
		);
	}

	#[test]
	fn bip_350_segwit_vectors() {
		assert_eq!(
			script("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", Mainnet).unwrap(),
			(ScriptKind::P2wpkh, "0014751e76e8199196d454941c45d1b3a323f1433bd6".into())
		);
		assert_eq!(
			script("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", Testnet)
				.unwrap(),
			(
				ScriptKind::P2wsh,
				"00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262".into()
			)
		);
		assert_eq!(
			script("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", Mainnet)
				.unwrap(),
			(
				ScriptKind::P2tr,
				"512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798".into()
			)
		);
		assert_eq!(
			script("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", Testnet)
				.unwrap(),
			(
				ScriptKind::P2tr,
				"5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433".into()
			)
		);
		// Valid, but no payout script: witness v1 of 40 bytes, witness v16.
		let v1_40 = "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y";
		assert_eq!(script(v1_40, Mainnet), Err(UnsupportedScript));
		assert_eq!(script("BC1SW50QGDZ25J", Mainnet), Err(UnsupportedScript));
		// BIP-350's invalid addresses.
		let cases = [
			("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", Malformed),
			("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", Checksum),
			("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", Checksum),
			("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", Checksum),
			("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", Checksum),
			("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", Checksum),
			("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", Malformed),
			("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", Malformed),
			("bc1pw5dgrnzv", Malformed),
			("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", Malformed),
			("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", Malformed),
			("bc1gmk9yu", Malformed),
		];
		for (address, error) in cases {
			let network = if address[..2].eq_ignore_ascii_case("tb") { Testnet } else { Mainnet };
			assert_eq!(script(address, network), Err(error), "{address}");
		}
	}

	#[test]
	fn base58_addresses() {
		assert_eq!(
			script("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", Mainnet).unwrap(),
			(ScriptKind::P2pkh, "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac".into())
		);
		assert_eq!(
			script("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", Mainnet).unwrap(),
			(ScriptKind::P2sh, "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87".into())
		);
		// One character changed: the checksum catches it.
		assert_eq!(script("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", Mainnet), Err(Checksum));
		assert_eq!(script("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", Mainnet), Err(Checksum));
		// Characters outside base58, the wrong length, another network's version byte.
		assert_eq!(script("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0", Mainnet), Err(Malformed));
		assert_eq!(script("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV", Mainnet), Err(Malformed));
		assert_eq!(script("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", Testnet), Err(WrongNetwork));
		assert_eq!(
			script("bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj", Regtest),
			Err(WrongNetwork)
		);
		assert_eq!(script("", Mainnet), Err(Malformed));
		assert_eq!(script(&"1".repeat(91), Mainnet), Err(Malformed));
	}

	#[test]
	fn every_parsed_script_is_of_its_kind() {
		for address in [
			"38XnPvu9PmonFU9WouPXUjYbW91wa5MerL",
			"bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj",
			"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
			"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
			"bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
		] {
			let (kind, script) = parse_address(address.as_bytes(), Mainnet).unwrap();
			assert_eq!(ScriptKind::of(&script), Some(kind), "{address}");
		}
		assert_eq!(ScriptKind::of(&[0x6a, 0x04, 1, 2, 3, 4]), None);
	}
}
