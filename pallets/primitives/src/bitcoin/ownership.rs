//! Signed messages that show a payout script's key holder agrees to what they say: BIP-322's
//! "simple" format for P2WPKH, and Bitcoin Core's `signmessage` (BIP-322's "legacy" format)
//! for P2PKH.
//!
//! BIP-322 simple (P2WPKH): the message's tagged hash goes into a virtual transaction
//! `to_spend` paying the script; the signature is the witness of a virtual `to_sign` spending
//! it — an ECDSA signature (DER, `SIGHASH_ALL`, low S) over `to_sign`'s BIP-143 signature
//! hash, and the compressed key whose HASH160 is the script's program.
//!
//! Legacy (P2PKH): a 65-byte recoverable signature (`[27 + recovery id (+ 4 compressed)] r s`)
//! over `SHA256d("\x18Bitcoin Signed Message:\n" || compact size || message)`; the key it
//! recovers must hash to the script's.
//!
//! Keys are recovered with the runtime's secp256k1 host function, which is why taproot
//! (BIP-340 Schnorr, no host function) is refused by name; P2SH and P2WSH have no single key.

use super::{
	address::ScriptKind,
	transaction::{double_sha256, hash160},
};
use alloc::vec::Vec;
use polkadot_sdk::sp_io::{crypto, hashing::sha2_256};

/// Longest signature accepted: a simple P2WPKH witness (73 + 33 bytes and three lengths) or a
/// legacy 65-byte signature.
pub const MAX_SIGNATURE_LEN: u32 = 128;

/// Why a signature does not show the script's key agreeing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OwnershipError {
	/// Taproot's Schnorr signatures cannot be checked by the runtime.
	TaprootUnsupported,
	/// A script-hash kind (P2SH, P2WSH) or a non-standard script: no single key signs for it.
	NoSingleKey,
	/// The signature is not in the format its script kind takes.
	Malformed,
	/// The signature is not valid for the message.
	BadSignature,
	/// The signature is valid, but by a key the script does not pay.
	WrongKey,
}

/// BIP-322's message hash: SHA-256 tagged `BIP0322-signed-message`.
pub fn bip322_message_hash(message: &[u8]) -> [u8; 32] {
	let tag = sha2_256(b"BIP0322-signed-message");
	let mut data = Vec::with_capacity(64 + message.len());
	data.extend_from_slice(&tag);
	data.extend_from_slice(&tag);
	data.extend_from_slice(message);
	sha2_256(&data)
}

fn push_compact_size(out: &mut Vec<u8>, n: usize) {
	match n {
		0..=0xfc => out.push(n as u8),
		0xfd..=0xffff => {
			out.push(0xfd);
			out.extend_from_slice(&(n as u16).to_le_bytes());
		},
		_ => {
			out.push(0xfe);
			out.extend_from_slice(&(n as u32).to_le_bytes());
		},
	}
}

/// The id of BIP-322's `to_spend` for `script` and `message`: version 0, one input spending
/// the null outpoint with `OP_0 PUSH32 <message hash>`, sequence 0, one output of 0 paying
/// `script`, lock time 0.
pub fn to_spend_txid(script: &[u8], message: &[u8]) -> [u8; 32] {
	let mut tx = Vec::with_capacity(128 + script.len());
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(&[0u8; 32]);
	tx.extend_from_slice(&u32::MAX.to_le_bytes());
	tx.extend_from_slice(&[34, 0x00, 0x20]);
	tx.extend_from_slice(&bip322_message_hash(message));
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(&0u64.to_le_bytes());
	push_compact_size(&mut tx, script.len());
	tx.extend_from_slice(script);
	tx.extend_from_slice(&0u32.to_le_bytes());
	double_sha256(&tx).0
}

/// The outputs of BIP-322's `to_sign`: one of 0 paying `OP_RETURN`.
const TO_SIGN_OUTPUTS: [u8; 10] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0x6a];

/// The id of BIP-322's `to_sign` (without witness): version 0, one input spending output 0
/// of `to_spend` with an empty script, sequence 0, one output of 0 paying `OP_RETURN`, lock
/// time 0.
pub fn to_sign_txid(to_spend: &[u8; 32]) -> [u8; 32] {
	let mut tx = Vec::with_capacity(64);
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(to_spend);
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx.push(0);
	tx.extend_from_slice(&0u32.to_le_bytes());
	tx.push(1);
	tx.extend_from_slice(&TO_SIGN_OUTPUTS);
	tx.extend_from_slice(&0u32.to_le_bytes());
	double_sha256(&tx).0
}

/// BIP-143's signature hash of `to_sign`'s input (spending `to_spend`'s P2WPKH output of 0
/// with key hash `key_hash`), `SIGHASH_ALL`.
fn p2wpkh_sighash(to_spend: &[u8; 32], key_hash: &[u8]) -> [u8; 32] {
	let mut outpoint = Vec::with_capacity(36);
	outpoint.extend_from_slice(to_spend);
	outpoint.extend_from_slice(&0u32.to_le_bytes());
	let mut preimage = Vec::with_capacity(200);
	preimage.extend_from_slice(&0u32.to_le_bytes());
	preimage.extend_from_slice(&double_sha256(&outpoint).0);
	preimage.extend_from_slice(&double_sha256(&0u32.to_le_bytes()).0);
	preimage.extend_from_slice(&outpoint);
	preimage.extend_from_slice(&[0x19, 0x76, 0xa9, 0x14]);
	preimage.extend_from_slice(key_hash);
	preimage.extend_from_slice(&[0x88, 0xac]);
	preimage.extend_from_slice(&0u64.to_le_bytes());
	preimage.extend_from_slice(&0u32.to_le_bytes());
	preimage.extend_from_slice(&double_sha256(&TO_SIGN_OUTPUTS).0);
	preimage.extend_from_slice(&0u32.to_le_bytes());
	preimage.extend_from_slice(&1u32.to_le_bytes());
	double_sha256(&preimage).0
}

/// Half the order of secp256k1, big-endian: the largest low S.
const HALF_ORDER: [u8; 32] = [
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// One DER integer (`0x02 len bytes`), strictly encoded (BIP-66) and at most 32 bytes of
/// value, as 32 big-endian bytes.
fn der_integer(data: &[u8]) -> Result<([u8; 32], &[u8]), OwnershipError> {
	let [0x02, len, rest @ ..] = data else { return Err(OwnershipError::Malformed) };
	let len = usize::from(*len);
	if len == 0 || rest.len() < len {
		return Err(OwnershipError::Malformed);
	}
	let (value, rest) = rest.split_at(len);
	// Not negative; no needless leading zero.
	if value[0] & 0x80 != 0 || (len > 1 && value[0] == 0 && value[1] & 0x80 == 0) {
		return Err(OwnershipError::Malformed);
	}
	let value = if value[0] == 0 { &value[1..] } else { value };
	if value.len() > 32 {
		return Err(OwnershipError::Malformed);
	}
	let mut out = [0u8; 32];
	out[32 - value.len()..].copy_from_slice(value);
	Ok((out, rest))
}

/// `r || s` of a DER signature followed by its sighash byte, which must be `SIGHASH_ALL`;
/// S must be low (BIP-146, standard since Core 0.11).
fn der_signature(signature: &[u8]) -> Result<[u8; 64], OwnershipError> {
	let [0x30, len, body @ .., 0x01] = signature else { return Err(OwnershipError::Malformed) };
	if usize::from(*len) != body.len() {
		return Err(OwnershipError::Malformed);
	}
	let (r, rest) = der_integer(body)?;
	let (s, rest) = der_integer(rest)?;
	if !rest.is_empty() || r == [0; 32] || s == [0; 32] || s > HALF_ORDER {
		return Err(OwnershipError::Malformed);
	}
	let mut rs = [0u8; 64];
	rs[..32].copy_from_slice(&r);
	rs[32..].copy_from_slice(&s);
	Ok(rs)
}

/// Reads a BIP-322 simple signature for P2WPKH: the witness stack `[signature, key]`.
fn witness_items(signature: &[u8]) -> Result<(&[u8], &[u8]), OwnershipError> {
	let [2, sig_len, rest @ ..] = signature else { return Err(OwnershipError::Malformed) };
	let sig_len = usize::from(*sig_len);
	if rest.len() < sig_len + 1 {
		return Err(OwnershipError::Malformed);
	}
	let (sig, rest) = rest.split_at(sig_len);
	let [33, key @ ..] = rest else { return Err(OwnershipError::Malformed) };
	if key.len() != 33 || !matches!(key[0], 0x02 | 0x03) {
		return Err(OwnershipError::Malformed);
	}
	Ok((sig, key))
}

/// Whether `rs` over `digest` recovers `key` (compressed) for some recovery id.
fn recovers(rs: &[u8; 64], digest: &[u8; 32], key: &[u8]) -> bool {
	let mut sig = [0u8; 65];
	sig[..64].copy_from_slice(rs);
	(0u8..2).any(|id| {
		sig[64] = id;
		crypto::secp256k1_ecdsa_recover_compressed(&sig, digest).is_ok_and(|k| k[..] == *key)
	})
}

/// What a P2WPKH key signs for a BIP-322 simple signature of `message` by `script`: the
/// BIP-143 signature hash of `to_sign`. `None` unless `script` is P2WPKH.
pub fn p2wpkh_signing_digest(script: &[u8], message: &[u8]) -> Option<[u8; 32]> {
	match ScriptKind::of(script) {
		Some(ScriptKind::P2wpkh) => {
			Some(p2wpkh_sighash(&to_spend_txid(script, message), &script[2..22]))
		},
		_ => None,
	}
}

/// secp256k1's group order, big-endian.
const ORDER: [u8; 32] = [
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// One strict DER integer of a 32-byte big-endian value.
fn push_der_integer(out: &mut Vec<u8>, value: &[u8; 32]) {
	let first = value.iter().position(|b| *b != 0).unwrap_or(31);
	let value = &value[first..];
	let pad = value[0] & 0x80 != 0;
	out.push(0x02);
	out.push((value.len() + usize::from(pad)) as u8);
	if pad {
		out.push(0);
	}
	out.extend_from_slice(value);
}

/// A BIP-322 simple P2WPKH signature (the witness `[DER signature || SIGHASH_ALL, key]`) from
/// an ECDSA signature `r || s` (a recovery id after it is ignored) of
/// [`p2wpkh_signing_digest`] by the compressed `key`. A high S is replaced by `n - S`, which
/// signs the same digest, as BIP-146 requires. `None` unless `r` and `s` are 32 bytes each and
/// in `1..n`.
pub fn p2wpkh_witness(rs: &[u8], key: &[u8; 33]) -> Option<Vec<u8>> {
	let r: &[u8; 32] = rs.get(..32)?.try_into().ok()?;
	let mut s: [u8; 32] = rs.get(32..64)?.try_into().ok()?;
	if *r == [0; 32] || *r >= ORDER || s == [0; 32] || s >= ORDER {
		return None;
	}
	if s > HALF_ORDER {
		let mut borrow = 0u16;
		for i in (0..32).rev() {
			let minuend = u16::from(ORDER[i]);
			let subtrahend = u16::from(s[i]) + borrow;
			borrow = u16::from(minuend < subtrahend);
			s[i] = (minuend + (borrow << 8) - subtrahend) as u8;
		}
	}
	let mut body = Vec::with_capacity(70);
	push_der_integer(&mut body, r);
	push_der_integer(&mut body, &s);
	let mut witness = Vec::with_capacity(108);
	witness.extend_from_slice(&[2, body.len() as u8 + 3, 0x30, body.len() as u8]);
	witness.extend_from_slice(&body);
	witness.extend_from_slice(&[0x01, 33]);
	witness.extend_from_slice(key);
	Some(witness)
}

/// Bitcoin Core's `signmessage` hash: `SHA256d("\x18Bitcoin Signed Message:\n" || compact
/// size || message)`.
pub fn legacy_message_hash(message: &[u8]) -> [u8; 32] {
	const MAGIC: &[u8] = b"\x18Bitcoin Signed Message:\n";
	let mut data = Vec::with_capacity(MAGIC.len() + 9 + message.len());
	data.extend_from_slice(MAGIC);
	push_compact_size(&mut data, message.len());
	data.extend_from_slice(message);
	double_sha256(&data).0
}

/// Checks that `signature` signs `message` by the key `script` pays (see the module's docs).
pub fn verify(script: &[u8], message: &[u8], signature: &[u8]) -> Result<(), OwnershipError> {
	match ScriptKind::of(script) {
		Some(ScriptKind::P2wpkh) => {
			let key_hash = &script[2..22];
			let (sig, key) = witness_items(signature)?;
			let rs = der_signature(sig)?;
			let digest = p2wpkh_sighash(&to_spend_txid(script, message), key_hash);
			if !recovers(&rs, &digest, key) {
				return Err(OwnershipError::BadSignature);
			}
			if hash160(key)[..] != *key_hash {
				return Err(OwnershipError::WrongKey);
			}
			Ok(())
		},
		Some(ScriptKind::P2pkh) => {
			let key_hash = &script[3..23];
			let [header @ 27..=34, rs @ ..] = signature else {
				return Err(OwnershipError::Malformed);
			};
			let rs: &[u8; 64] = rs.try_into().map_err(|_| OwnershipError::Malformed)?;
			let mut sig = [0u8; 65];
			sig[..64].copy_from_slice(rs);
			sig[64] = (header - 27) & 3;
			let digest = legacy_message_hash(message);
			let recovered_hash = if *header >= 31 {
				crypto::secp256k1_ecdsa_recover_compressed(&sig, &digest).map(|key| hash160(&key))
			} else {
				crypto::secp256k1_ecdsa_recover(&sig, &digest).map(|key| {
					let mut full = [0x04; 65];
					full[1..].copy_from_slice(&key);
					hash160(&full)
				})
			}
			.map_err(|_| OwnershipError::BadSignature)?;
			if recovered_hash[..] != *key_hash {
				// A valid signature by another key, or a signature of another message.
				return Err(OwnershipError::WrongKey);
			}
			Ok(())
		},
		Some(ScriptKind::P2tr) => Err(OwnershipError::TaprootUnsupported),
		Some(ScriptKind::P2sh | ScriptKind::P2wsh) | None => Err(OwnershipError::NoSingleKey),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn unhex(s: &str) -> Vec<u8> {
		(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
	}

	fn base64(text: &str) -> Vec<u8> {
		const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		let mut out = Vec::new();
		let (mut acc, mut bits) = (0u32, 0);
		for c in text.bytes().filter(|c| *c != b'=') {
			acc = (acc << 6) | ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
			bits += 6;
			if bits >= 8 {
				bits -= 8;
				out.push((acc >> bits) as u8);
			}
		}
		out
	}

	/// BIP-322's test vectors (bip-0322.mediawiki, "Test vectors"): the P2WPKH script of
	/// `bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l` (key of
	/// `L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k`).
	const P2WPKH: &str = "00142b05d564e6a7a33c087f16e0f730d1440123799d";
	const EMPTY_SIGNATURES: [&str; 2] = [
		"AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
		"AkgwRQIhAPkJ1Q4oYS0htvyuSFHLxRQpFAY56b70UvE7Dxazen0ZAiAtZfFz1S6T6I23MWI2lK/pcNTWncuyL8UL+oMdydVgzAEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy",
	];
	const HELLO_SIGNATURES: [&str; 2] = [
		"AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
		"AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy",
	];
	/// The same key's P2PKH script and Bitcoin Core's legacy `signmessage` of "Hello World"
	/// (Core's `util_tests.cpp`, BIP-322's legacy vector).
	const P2PKH: &str = "76a9142b05d564e6a7a33c087f16e0f730d1440123799d88ac";
	const HELLO_LEGACY: &str =
		"IOW2xi+ebJLeBtr674l4QH76dqDoVjLV80R9EFKFQX5rBrlCXPIZaYs8Yuayg0ZqjyiCbLy9pzZIS7JWT65/nsU=";

	fn display(hash: [u8; 32]) -> Vec<u8> {
		hash.iter().rev().copied().collect()
	}

	#[test]
	fn message_and_transaction_hashes_match_bip_322() {
		assert_eq!(
			bip322_message_hash(b"").to_vec(),
			unhex("c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1")
		);
		assert_eq!(
			bip322_message_hash(b"Hello World").to_vec(),
			unhex("f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a")
		);
		let script = unhex(P2WPKH);
		let empty = to_spend_txid(&script, b"");
		let hello = to_spend_txid(&script, b"Hello World");
		assert_eq!(
			display(empty),
			unhex("c5680aa69bb8d860bf82d4e9cd3504b55dde018de765a91bb566283c545a99a7")
		);
		assert_eq!(
			display(hello),
			unhex("b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b")
		);
		assert_eq!(
			display(to_sign_txid(&empty)),
			unhex("1e9654e951a5ba44c8604c4de6c67fd78a27e81dcadcfe1edf638ba3aaebaed6")
		);
		assert_eq!(
			display(to_sign_txid(&hello)),
			unhex("88737ae86f2077145f93cc4b153ae9a1cb8d56afa511988c149c5c8c9d93bddf")
		);
	}

	#[test]
	fn bip_322_simple_signatures_verify_and_only_for_their_message() {
		let script = unhex(P2WPKH);
		for signature in EMPTY_SIGNATURES {
			assert_eq!(verify(&script, b"", &base64(signature)), Ok(()));
			assert_eq!(
				verify(&script, b"Hello World", &base64(signature)),
				Err(OwnershipError::BadSignature)
			);
		}
		for signature in HELLO_SIGNATURES {
			assert_eq!(verify(&script, b"Hello World", &base64(signature)), Ok(()));
		}
		// Another script with the same key's signature: the key is not the one it pays.
		let mut other = script.clone();
		other[21] ^= 1;
		assert_eq!(
			verify(&other, b"Hello World", &base64(HELLO_SIGNATURES[0])),
			Err(OwnershipError::BadSignature),
			"the script is in to_spend: another script is another signed transaction"
		);
	}

	#[test]
	fn a_legacy_signmessage_verifies_for_p2pkh() {
		let script = unhex(P2PKH);
		assert_eq!(verify(&script, b"Hello World", &base64(HELLO_LEGACY)), Ok(()));
		// Another message recovers another key.
		assert_eq!(
			verify(&script, b"Hello World!", &base64(HELLO_LEGACY)),
			Err(OwnershipError::WrongKey)
		);
		let mut short = base64(HELLO_LEGACY);
		short.pop();
		assert_eq!(verify(&script, b"Hello World", &short), Err(OwnershipError::Malformed));
		let mut header = base64(HELLO_LEGACY);
		header[0] = 26;
		assert_eq!(verify(&script, b"Hello World", &header), Err(OwnershipError::Malformed));
	}

	/// Signatures made here with a key of the test: a P2WPKH signature by a key the script
	/// does not pay, and legacy signatures by the key compressed and uncompressed.
	#[test]
	fn keys_other_than_the_scripts_are_refused_and_uncompressed_legacy_keys_verify() {
		use polkadot_sdk::sp_core::{ecdsa, Pair};
		let pair = ecdsa::Pair::from_seed(&[7u8; 32]);
		let key = pair.public().0;
		// P2WPKH paying another key: the signature (over the script's to_spend) recovers
		// the witness key, which the script does not pay.
		let mut script = vec![0x00, 0x14];
		script.extend_from_slice(&[0x11; 20]);
		let digest = p2wpkh_sighash(&to_spend_txid(&script, b"m"), &script[2..]);
		let signature = pair.sign_prehashed(&digest).0;
		let mut s = [0u8; 32];
		s.copy_from_slice(&signature[32..64]);
		let der_int = |v: &[u8]| {
			let v = &v[v.iter().position(|b| *b != 0).unwrap_or(31)..];
			let mut out = vec![0x02];
			if v[0] & 0x80 != 0 {
				out.extend_from_slice(&[v.len() as u8 + 1, 0x00]);
			} else {
				out.push(v.len() as u8);
			}
			out.extend_from_slice(v);
			out
		};
		assert!(s <= HALF_ORDER, "the host signs with low S");
		let body = [der_int(&signature[..32]), der_int(&s)].concat();
		let der = [&[0x30, body.len() as u8][..], &body, &[0x01]].concat();
		let witness = [&[2, der.len() as u8][..], &der, &[33], &key].concat();
		assert_eq!(verify(&script, b"m", &witness), Err(OwnershipError::WrongKey));
		script[2..].copy_from_slice(&hash160(&key));
		let digest = p2wpkh_sighash(&to_spend_txid(&script, b"m"), &script[2..]);
		let signature = pair.sign_prehashed(&digest).0;
		let body = [der_int(&signature[..32]), der_int(&signature[32..64])].concat();
		let der = [&[0x30, body.len() as u8][..], &body, &[0x01]].concat();
		let witness = [&[2, der.len() as u8][..], &der, &[33], &key].concat();
		assert_eq!(verify(&script, b"m", &witness), Ok(()));

		// Legacy, compressed (header 31 + id) and uncompressed (27 + id).
		let digest = legacy_message_hash(b"m");
		let signature = pair.sign_prehashed(&digest).0;
		let full = crypto::secp256k1_ecdsa_recover(&signature, &digest).ok().expect("it recovers");
		let p2pkh = |hash: [u8; 20]| [&[0x76, 0xa9, 0x14][..], &hash, &[0x88, 0xac]].concat();
		let legacy = |header: u8| [&[header + signature[64]][..], &signature[..64]].concat();
		assert_eq!(verify(&p2pkh(hash160(&key)), b"m", &legacy(31)), Ok(()));
		let uncompressed = hash160(&[&[0x04][..], &full].concat());
		assert_eq!(verify(&p2pkh(uncompressed), b"m", &legacy(27)), Ok(()));
		assert_eq!(verify(&p2pkh(uncompressed), b"m", &legacy(31)), Err(OwnershipError::WrongKey));
	}

	#[test]
	fn witnesses_built_from_r_and_s_match_bip_322_and_verify_with_a_high_s_given() {
		for vector in HELLO_SIGNATURES.iter().chain(EMPTY_SIGNATURES.iter()) {
			let good = base64(vector);
			let rs = der_signature(&good[2..good.len() - 34]).unwrap();
			let key: [u8; 33] = good[good.len() - 33..].try_into().unwrap();
			assert_eq!(p2wpkh_witness(&rs, &key), Some(good.clone()));
			// n - S signs the same digest; the builder gives back the low S.
			let mut high = rs;
			let mut borrow = 0i16;
			for i in (0..32).rev() {
				let d = i16::from(ORDER[i]) - i16::from(rs[32 + i]) - borrow;
				borrow = i16::from(d < 0);
				high[32 + i] = d.rem_euclid(256) as u8;
			}
			assert!(high[32..] > HALF_ORDER[..]);
			assert_eq!(p2wpkh_witness(&high, &key), Some(good));
		}
		assert_eq!(p2wpkh_witness(&[0u8; 63], &[2; 33]), None, "r and s are 64 bytes");
		let mut out_of_range = [1u8; 64];
		out_of_range[32..].copy_from_slice(&ORDER);
		assert_eq!(p2wpkh_witness(&out_of_range, &[2; 33]), None, "s = n");
		assert_eq!(p2wpkh_witness(&[0u8; 64], &[2; 33]), None, "r = s = 0");
		// Leading zero bytes are dropped, a top bit set is padded: r = 1, s = 0x0080…
		// encode strictly and parse back to themselves.
		let mut rs = [0u8; 64];
		rs[31] = 1;
		rs[33] = 0x80;
		rs[63] = 0x07;
		let witness = p2wpkh_witness(&rs, &[2; 33]).unwrap();
		let sig_len = usize::from(witness[1]);
		assert_eq!(&witness[2..9], &[0x30, sig_len as u8 - 3, 0x02, 0x01, 0x01, 0x02, 0x20]);
		assert_eq!(der_signature(&witness[2..2 + sig_len]), Ok(rs));

		use polkadot_sdk::sp_core::{ecdsa, Pair};
		let pair = ecdsa::Pair::from_seed(&[9u8; 32]);
		let key = pair.public().0;
		let script = [&[0x00, 0x14][..], &hash160(&key)].concat();
		let message = b"Hashrate Chain: facility 0 is paid at this script";
		let digest = p2wpkh_signing_digest(&script, message).unwrap();
		let witness = p2wpkh_witness(&pair.sign_prehashed(&digest).0, &key).unwrap();
		assert_eq!(verify(&script, message, &witness), Ok(()));
		assert_eq!(p2wpkh_signing_digest(&unhex(P2PKH), message), None);
	}

	#[test]
	fn malformed_signatures_and_unsupported_kinds_are_named() {
		let script = unhex(P2WPKH);
		let good = base64(HELLO_SIGNATURES[0]);
		// Truncated, a third witness item, another sighash byte, a high S.
		assert_eq!(
			verify(&script, b"Hello World", &good[..good.len() - 1]),
			Err(OwnershipError::Malformed)
		);
		let mut three = good.clone();
		three[0] = 3;
		assert_eq!(verify(&script, b"Hello World", &three), Err(OwnershipError::Malformed));
		let mut anyone = good.clone();
		// The sighash byte ends the 0x47-byte signature item (after the count and length).
		anyone[1 + 0x47] = 0x81;
		assert_eq!(verify(&script, b"Hello World", &anyone), Err(OwnershipError::Malformed));
		let rs = der_signature(&good[2..2 + 0x47]).unwrap();
		assert!(rs[32..] <= HALF_ORDER[..], "the vector's S is low");
		// `30 len 02 01 01 02 len(s) s 01`: r = 1 and the S given.
		let der = |s: &[u8]| {
			[&[0x30, 5 + s.len() as u8, 0x02, 0x01, 0x01, 0x02, s.len() as u8][..], s, &[0x01]]
				.concat()
		};
		assert_eq!(der_signature(&der(&[0x01])).map(|rs| (rs[31], rs[63])), Ok((1, 1)));
		assert_eq!(der_signature(&der(&HALF_ORDER)).map(|rs| rs[32..] == HALF_ORDER), Ok(true));
		assert_eq!(der_signature(&der(&[0xff])), Err(OwnershipError::Malformed), "negative");
		assert_eq!(der_signature(&der(&[0x00, 0x01])), Err(OwnershipError::Malformed), "padded");
		let mut above_half = HALF_ORDER;
		above_half[31] += 1;
		assert_eq!(der_signature(&der(&above_half)), Err(OwnershipError::Malformed), "high S");
		let mut too_long = vec![0x01];
		too_long.extend_from_slice(&[0u8; 32]);
		assert_eq!(der_signature(&der(&too_long)), Err(OwnershipError::Malformed), "33 bytes");
		let mut wrong_length = der(&[0x01]);
		wrong_length[1] += 1;
		assert_eq!(der_signature(&wrong_length), Err(OwnershipError::Malformed));
		let taproot = unhex("5120b87be26d45435dcf999a5614f87153ba9f12b3ad7d6f7eb89c7096ba55d94a55");
		assert_eq!(verify(&taproot, b"", &good), Err(OwnershipError::TaprootUnsupported));
		let p2sh = unhex("a9144b09d828dfc8baaba5d04ee77397e04b1050cc7387");
		assert_eq!(verify(&p2sh, b"", &good), Err(OwnershipError::NoSingleKey));
		assert_eq!(verify(&[0x51], b"", &good), Err(OwnershipError::NoSingleKey));
	}
}
