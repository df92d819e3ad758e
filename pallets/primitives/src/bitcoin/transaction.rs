//! Bitcoin transactions and Merkle proofs, read as Bitcoin Core serializes them
//! (`primitives/transaction.h`, `serialize.h`, `merkleblock.cpp`), shared by the header relay
//! (coinbase proofs) and the payout proofs.
//!
//! Written here rather than taken from `bitcoin-primitives`: hashing goes through the
//! runtime's SHA-256 host function, every length is checked against the bytes left before
//! anything is allocated, each refusal has its own name, and Core's partial-Merkle-tree checks
//! (`CPartialMerkleTree::ExtractMatches`) are not in that crate.

use alloc::vec::Vec;
use polkadot_sdk::{sp_core::H256, sp_io::hashing::sha2_256};

/// Bytes of a serialized block header.
pub const HEADER_SIZE: usize = 80;
/// A serialized block header.
pub type RawHeader = [u8; HEADER_SIZE];
/// Deepest Merkle branch of a block: 15 levels cover [`MAX_BLOCK_TRANSACTIONS`].
pub const MAX_BRANCH_DEPTH: u32 = 15;

/// SHA-256 of SHA-256 of `data`, in internal byte order (a block hash or txid as Bitcoin
/// hashes it; block explorers print it reversed).
pub fn double_sha256(data: &[u8]) -> H256 {
	H256(sha2_256(&sha2_256(data)))
}

/// RIPEMD-160 of SHA-256 of `data` (`OP_HASH160`): the hash in P2PKH, P2SH and P2WPKH
/// scripts.
pub fn hash160(data: &[u8]) -> [u8; 20] {
	use ripemd::Digest;
	ripemd::Ripemd160::digest(sha2_256(data)).into()
}

/// The Merkle root a serialized header commits to (bytes 36..68).
pub fn merkle_root(header: &RawHeader) -> H256 {
	H256::from_slice(&header[36..68])
}

/// Most satoshis that can exist (`MAX_MONEY`).
pub const MAX_MONEY: u64 = 21_000_000 * 100_000_000;
/// Most transactions a block can hold (`MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT`).
pub const MAX_BLOCK_TRANSACTIONS: u32 = 4_000_000 / 240;

/// Why bytes are not what they claim to be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParseError {
	/// The bytes end before the structure does.
	Truncated,
	/// Bytes are left after the structure.
	TrailingBytes,
	/// A length is not in its shortest form (Core refuses non-canonical `CompactSize`).
	NonCanonicalLength,
	/// The segwit flag is not 1, or a segwit transaction has no witness.
	BadWitnessFlag,
	/// No inputs or no outputs.
	Empty,
	/// An output value, or their sum, above [`MAX_MONEY`].
	ValueOutOfRange,
}

/// Reads Core's serialization from a byte slice.
struct Reader<'a> {
	bytes: &'a [u8],
	at: usize,
}

impl<'a> Reader<'a> {
	fn new(bytes: &'a [u8]) -> Self {
		Self { bytes, at: 0 }
	}

	fn left(&self) -> usize {
		self.bytes.len().saturating_sub(self.at)
	}

	fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
		let end = self.at.checked_add(n).ok_or(ParseError::Truncated)?;
		let slice = self.bytes.get(self.at..end).ok_or(ParseError::Truncated)?;
		self.at = end;
		Ok(slice)
	}

	fn array<const N: usize>(&mut self) -> Result<[u8; N], ParseError> {
		let mut out = [0u8; N];
		out.copy_from_slice(self.take(N)?);
		Ok(out)
	}

	fn u32(&mut self) -> Result<u32, ParseError> {
		self.array::<4>().map(u32::from_le_bytes)
	}

	fn u64(&mut self) -> Result<u64, ParseError> {
		self.array::<8>().map(u64::from_le_bytes)
	}

	fn peek(&self, ahead: usize) -> Option<u8> {
		self.bytes.get(self.at.checked_add(ahead)?).copied()
	}

	/// A `CompactSize`, refused unless canonical and at most the bytes left (every counted
	/// item takes at least a byte), so no count allocates beyond the input.
	fn length(&mut self) -> Result<usize, ParseError> {
		let first = self.array::<1>()?[0];
		let (value, least) = match first {
			0xfd => (u64::from(u16::from_le_bytes(self.array::<2>()?)), 0xfd),
			0xfe => (u64::from(self.u32()?), 0x1_0000),
			0xff => (self.u64()?, 0x1_0000_0000),
			small => (u64::from(small), 0),
		};
		if value < least {
			return Err(ParseError::NonCanonicalLength);
		}
		let value = usize::try_from(value).map_err(|_| ParseError::Truncated)?;
		if value > self.left() {
			return Err(ParseError::Truncated);
		}
		Ok(value)
	}

	fn bytes(&mut self) -> Result<&'a [u8], ParseError> {
		let n = self.length()?;
		self.take(n)
	}
}

/// A transaction input's previous output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OutPoint {
	/// The spent transaction's id, internal byte order.
	pub txid: H256,
	/// The spent output's index.
	pub vout: u32,
}

impl OutPoint {
	/// The null prevout of a coinbase input.
	pub fn is_null(&self) -> bool {
		self.txid.is_zero() && self.vout == u32::MAX
	}
}

/// A transaction input.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Input<'a> {
	/// What it spends.
	pub prevout: OutPoint,
	/// Its script (a coinbase's arbitrary data).
	pub script_sig: &'a [u8],
	/// Its witness stack (empty without witness).
	pub witness: Vec<&'a [u8]>,
}

/// A transaction output.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Output<'a> {
	/// Satoshis.
	pub value: u64,
	/// Its locking script.
	pub script_pubkey: &'a [u8],
}

/// A parsed transaction, borrowing its bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Transaction<'a> {
	/// Its inputs.
	pub inputs: Vec<Input<'a>>,
	/// Its outputs.
	pub outputs: Vec<Output<'a>>,
	/// Its id: double SHA-256 of the serialization without witness.
	pub txid: H256,
	/// Bytes of the serialization without witness.
	pub stripped_size: usize,
	/// The bytes it was parsed from.
	pub raw: &'a [u8],
	/// Whether they carry a witness (BIP 144).
	pub segwit: bool,
}

impl<'a> Transaction<'a> {
	/// Parses a whole transaction, with or without witness (BIP 144).
	pub fn parse(raw: &'a [u8]) -> Result<Self, ParseError> {
		let mut reader = Reader::new(raw);
		reader.take(4)?;
		// BIP 144: a zero input count followed by a non-zero flag marks a witness.
		let segwit = reader.peek(0) == Some(0) && reader.peek(1).is_some_and(|flag| flag != 0);
		if segwit {
			if reader.peek(1) != Some(1) {
				return Err(ParseError::BadWitnessFlag);
			}
			reader.take(2)?;
		}
		let body_start = reader.at;
		let count = reader.length()?;
		let mut inputs = Vec::with_capacity(count.min(reader.left() / 41));
		for _ in 0..count {
			let txid = H256(reader.array::<32>()?);
			let vout = reader.u32()?;
			let script_sig = reader.bytes()?;
			reader.u32()?;
			inputs.push(Input {
				prevout: OutPoint { txid, vout },
				script_sig,
				witness: Vec::new(),
			});
		}
		let count = reader.length()?;
		let mut outputs = Vec::with_capacity(count.min(reader.left() / 9));
		let mut total = 0u64;
		for _ in 0..count {
			let value = reader.u64()?;
			total = total.checked_add(value).ok_or(ParseError::ValueOutOfRange)?;
			if value > MAX_MONEY || total > MAX_MONEY {
				return Err(ParseError::ValueOutOfRange);
			}
			let script_pubkey = reader.bytes()?;
			outputs.push(Output { value, script_pubkey });
		}
		if inputs.is_empty() || outputs.is_empty() {
			return Err(ParseError::Empty);
		}
		let body_end = reader.at;
		if segwit {
			let mut any = false;
			for input in inputs.iter_mut() {
				let items = reader.length()?;
				any |= items > 0;
				input.witness.reserve(items);
				for _ in 0..items {
					input.witness.push(reader.bytes()?);
				}
			}
			// Core: a witness flag with all witnesses empty is invalid ("Superfluous
			// witness record").
			if !any {
				return Err(ParseError::BadWitnessFlag);
			}
		}
		let lock_time = reader.take(4)?;
		if reader.left() != 0 {
			return Err(ParseError::TrailingBytes);
		}
		let mut stripped = Vec::with_capacity(8 + body_end - body_start);
		stripped.extend_from_slice(&raw[..4]);
		stripped.extend_from_slice(&raw[body_start..body_end]);
		stripped.extend_from_slice(lock_time);
		Ok(Self {
			inputs,
			outputs,
			txid: double_sha256(&stripped),
			stripped_size: stripped.len(),
			raw,
			segwit,
		})
	}

	/// Its witness id (BIP 141): double SHA-256 of the serialization with witness, the txid
	/// when it was parsed without one.
	pub fn wtxid(&self) -> H256 {
		if self.segwit {
			double_sha256(self.raw)
		} else {
			self.txid
		}
	}

	/// Whether an input's script is empty: a native segwit (or taproot) spend, whose spent
	/// script only its witness can show — and the txid does not commit to the witness.
	pub fn spends_by_witness_only(&self) -> bool {
		!self.is_coinbase() && self.inputs.iter().any(|input| input.script_sig.is_empty())
	}

	/// Whether it is shaped as a coinbase: one input, spending the null prevout.
	pub fn is_coinbase(&self) -> bool {
		self.inputs.len() == 1 && self.inputs[0].prevout.is_null()
	}

	/// The sum of its outputs (at most [`MAX_MONEY`], checked when parsed).
	pub fn output_total(&self) -> u64 {
		self.outputs.iter().fold(0u64, |sum, out| sum.saturating_add(out.value))
	}
}

/// The block subsidy at `height` (`GetBlockSubsidy`): 50 BTC halved every 210,000 blocks,
/// zero after 64 halvings.
pub fn subsidy(height: u32) -> u64 {
	let halvings = height / 210_000;
	if halvings >= 64 {
		0
	} else {
		(50 * 100_000_000u64) >> halvings
	}
}

/// Why a Merkle proof proves nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProofError {
	/// The bytes are not a `merkleblock` (Core's `gettxoutproof` output).
	Malformed(ParseError),
	/// No transactions, more than a block can hold, or more hashes than transactions.
	BadTransactionCount,
	/// The flag bits or hashes run out, or some are left unused.
	BadTraversal,
	/// Two sibling nodes are equal (CVE-2012-2459: a duplicated subtree).
	DuplicateSibling,
	/// The computed root is not the header's Merkle root.
	RootMismatch,
}

/// A checked `merkleblock`: the header and the transactions it proves, with their indices.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MerkleBlock {
	/// The block's header.
	pub header: RawHeader,
	/// Transactions in the block.
	pub total: u32,
	/// Proven `(txid, index)`, in block order.
	pub matches: Vec<(H256, u32)>,
}

impl MerkleBlock {
	/// Parses and checks a `merkleblock` as Core's `CPartialMerkleTree::ExtractMatches` does:
	/// the tree is rebuilt from the flag bits and hashes, every bit byte and hash must be
	/// used, equal siblings are refused, and the root must be the header's.
	pub fn parse(raw: &[u8]) -> Result<Self, ProofError> {
		let mut reader = Reader::new(raw);
		let header: RawHeader = reader.array::<HEADER_SIZE>().map_err(ProofError::Malformed)?;
		let total = reader.u32().map_err(ProofError::Malformed)?;
		let count = reader.length().map_err(ProofError::Malformed)?;
		let mut hashes = Vec::with_capacity(count.min(reader.left() / 32));
		for _ in 0..count {
			hashes.push(H256(reader.array::<32>().map_err(ProofError::Malformed)?));
		}
		let flags = reader.bytes().map_err(ProofError::Malformed)?;
		if reader.left() != 0 {
			return Err(ProofError::Malformed(ParseError::TrailingBytes));
		}
		if total == 0 || total > MAX_BLOCK_TRANSACTIONS || hashes.len() > total as usize {
			return Err(ProofError::BadTransactionCount);
		}
		if flags.len().saturating_mul(8) < hashes.len() {
			return Err(ProofError::BadTraversal);
		}
		let mut tree = Traversal {
			total,
			hashes: &hashes,
			flags,
			bits_used: 0,
			hashes_used: 0,
			matches: Vec::new(),
		};
		let mut height = 0;
		while tree.width(height) > 1 {
			height += 1;
		}
		let root = tree.extract(height, 0)?;
		if tree.bits_used.div_ceil(8) != flags.len() || tree.hashes_used != hashes.len() {
			return Err(ProofError::BadTraversal);
		}
		if root != merkle_root(&header) {
			return Err(ProofError::RootMismatch);
		}
		Ok(Self { header, total, matches: tree.matches })
	}
}

struct Traversal<'a> {
	total: u32,
	hashes: &'a [H256],
	flags: &'a [u8],
	bits_used: usize,
	hashes_used: usize,
	matches: Vec<(H256, u32)>,
}

impl Traversal<'_> {
	/// Nodes at `height` above the leaves (`CalcTreeWidth`).
	fn width(&self, height: u32) -> u32 {
		((u64::from(self.total) + (1u64 << height) - 1) >> height) as u32
	}

	/// `TraverseAndExtract`; recursion depth is the tree's height (at most 14).
	fn extract(&mut self, height: u32, pos: u32) -> Result<H256, ProofError> {
		let byte = self.flags.get(self.bits_used / 8).ok_or(ProofError::BadTraversal)?;
		let parent_of_match = byte & (1 << (self.bits_used % 8)) != 0;
		self.bits_used += 1;
		if height == 0 || !parent_of_match {
			let hash = *self.hashes.get(self.hashes_used).ok_or(ProofError::BadTraversal)?;
			self.hashes_used += 1;
			if height == 0 && parent_of_match {
				self.matches.push((hash, pos));
			}
			return Ok(hash);
		}
		let left = self.extract(height - 1, pos * 2)?;
		let right = if pos * 2 + 1 < self.width(height - 1) {
			let right = self.extract(height - 1, pos * 2 + 1)?;
			if right == left {
				return Err(ProofError::DuplicateSibling);
			}
			right
		} else {
			left
		};
		Ok(parent_hash(&left, &right))
	}
}

/// A Merkle tree node over two children.
pub fn parent_hash(left: &H256, right: &H256) -> H256 {
	let mut both = [0u8; 64];
	both[..32].copy_from_slice(left.as_bytes());
	both[32..].copy_from_slice(right.as_bytes());
	double_sha256(&both)
}

/// Levels of a block's Merkle tree over `total` transactions (the length of every branch).
pub fn tree_depth(total: u32) -> u32 {
	let mut depth = 0;
	while depth < 32 && (u64::from(total.max(1)) - 1) >> depth != 0 {
		depth += 1;
	}
	depth
}

/// The start of a witness commitment output's script (BIP 141): `OP_RETURN`, a 36-byte push,
/// the tag `aa21a9ed`.
pub const WITNESS_COMMITMENT_PREFIX: [u8; 6] = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];

/// A block's commitment to its transactions' witnesses (BIP 141), as its coinbase carries it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WitnessCommitment {
	/// Bytes 6..38 of the last coinbase output whose script starts with
	/// [`WITNESS_COMMITMENT_PREFIX`].
	pub commitment: H256,
	/// The witness reserved value: the coinbase input's witness, one 32-byte item.
	pub reserved: [u8; 32],
}

impl WitnessCommitment {
	/// The commitment `coinbase` carries; `None` if it has none, or its witness is not one
	/// 32-byte item (Core refuses such a block).
	pub fn of(coinbase: &Transaction) -> Option<Self> {
		let output = coinbase.outputs.iter().rev().find(|output| {
			output.script_pubkey.len() >= 38
				&& output.script_pubkey[..6] == WITNESS_COMMITMENT_PREFIX
		})?;
		let [reserved] = coinbase.inputs.first()?.witness.as_slice() else { return None };
		Some(Self {
			commitment: H256::from_slice(&output.script_pubkey[6..38]),
			reserved: (*reserved).try_into().ok()?,
		})
	}

	/// Whether `witness_root` — the Merkle root over the block's wtxids, the coinbase's
	/// taken as zero — is the one committed: double SHA-256 of the root and the reserved value.
	pub fn commits(&self, witness_root: &H256) -> bool {
		let mut both = [0u8; 64];
		both[..32].copy_from_slice(witness_root.as_bytes());
		both[32..].copy_from_slice(&self.reserved);
		double_sha256(&both) == self.commitment
	}
}

/// The Merkle branch of `leaves[index]` (siblings from the leaf up; a level's last node of
/// an odd count paired with itself), as [`branch_root`] takes it. Empty for an index out of
/// range.
pub fn merkle_branch(leaves: &[H256], index: usize) -> Vec<H256> {
	let mut branch = Vec::new();
	if index >= leaves.len() {
		return branch;
	}
	let mut level = leaves.to_vec();
	let mut at = index;
	while level.len() > 1 {
		let Some(node) = level.get(at).copied() else { break };
		branch.push(level.get(at ^ 1).copied().unwrap_or(node));
		level = level
			.chunks(2)
			.map(|pair| match pair {
				[left, right] => parent_hash(left, right),
				[only] => parent_hash(only, only),
				_ => H256::zero(),
			})
			.collect();
		at /= 2;
	}
	branch
}

/// Why a Merkle branch proves nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BranchError {
	/// More levels than a block's tree has, or an index beyond the branch's leaves.
	BadIndex,
	/// A right child equal to its left sibling: a duplicated subtree (CVE-2012-2459).
	DuplicateSibling,
}

/// The Merkle root over `txid` at position `index` with `branch` (the siblings from the leaf
/// up, as Electrum's `blockchain.transaction.get_merkle` gives them). A left node may be its own
/// sibling (the last node of a level with an odd count is paired with itself); a right node
/// equal to its left sibling is refused, as Core refuses a mutated tree.
pub fn branch_root(txid: H256, branch: &[H256], index: u32) -> Result<H256, BranchError> {
	let depth = u32::try_from(branch.len()).map_err(|_| BranchError::BadIndex)?;
	if depth > MAX_BRANCH_DEPTH || u64::from(index) >> depth != 0 {
		return Err(BranchError::BadIndex);
	}
	let mut node = txid;
	for (level, sibling) in branch.iter().enumerate() {
		node = if (index >> level) & 1 == 1 {
			if *sibling == node {
				return Err(BranchError::DuplicateSibling);
			}
			parent_hash(sibling, &node)
		} else {
			parent_hash(&node, sibling)
		};
	}
	Ok(node)
}

/// The output scripts an input may be spending, as far as its script and witness show them:
/// a P2PKH key (last push of the script, 33 or 65 bytes), a P2SH redeem script (last push) and,
/// when that is a witness program, the native P2WPKH or P2WSH script it is (so a key's nested
/// and native scripts are both seen without the witness), a P2WPKH key (last witness item, 33
/// bytes) and a P2WSH witness script (last witness item). At most four: a push of 33 or 65
/// bytes is not a witness program.
/// A taproot key-path spend shows no script (its output key is not in the witness): it yields
/// nothing.
pub fn spent_script_candidates(input: &Input) -> Vec<Vec<u8>> {
	let mut candidates = Vec::new();
	if let Some(last) = last_push(input.script_sig) {
		if last.len() == 33 || last.len() == 65 {
			let mut p2pkh = alloc::vec![0x76, 0xa9, 0x14];
			p2pkh.extend_from_slice(&hash160(last));
			p2pkh.extend_from_slice(&[0x88, 0xac]);
			candidates.push(p2pkh);
		}
		if !last.is_empty() {
			let mut p2sh = alloc::vec![0xa9, 0x14];
			p2sh.extend_from_slice(&hash160(last));
			p2sh.push(0x87);
			candidates.push(p2sh);
		}
		// A nested segwit spend pushes its witness program: the native P2WPKH or P2WSH
		// script itself, committed to by the txid.
		if matches!(last, [0x00, 0x14, rest @ ..] if rest.len() == 20)
			|| matches!(last, [0x00, 0x20, rest @ ..] if rest.len() == 32)
		{
			candidates.push(last.to_vec());
		}
	}
	if let Some(last) = input.witness.last().filter(|item| !item.is_empty()) {
		if last.len() == 33 {
			let mut p2wpkh = alloc::vec![0x00, 0x14];
			p2wpkh.extend_from_slice(&hash160(last));
			candidates.push(p2wpkh);
		}
		if input.witness.len() >= 2 {
			let mut p2wsh = alloc::vec![0x00, 0x20];
			p2wsh.extend_from_slice(&sha2_256(last));
			candidates.push(p2wsh);
		}
	}
	candidates
}

/// The data of the last push of a push-only script, `None` if it is empty or not push-only.
fn last_push(script: &[u8]) -> Option<&[u8]> {
	let mut at = 0usize;
	let mut last = None;
	while at < script.len() {
		let opcode = script[at];
		at = at.saturating_add(1);
		let len = match opcode {
			0x00 => 0,
			0x01..=0x4b => usize::from(opcode),
			0x4c => {
				let n = usize::from(*script.get(at)?);
				at = at.saturating_add(1);
				n
			},
			0x4d => {
				let bytes = script.get(at..at.checked_add(2)?)?;
				at = at.saturating_add(2);
				usize::from(u16::from_le_bytes([bytes[0], bytes[1]]))
			},
			0x4f | 0x51..=0x60 => {
				last = Some(&script[at..at]);
				continue;
			},
			_ => return None,
		};
		let end = at.checked_add(len)?;
		last = Some(script.get(at..end)?);
		at = end;
	}
	last
}

/// Builders of the largest proofs, for benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking {
	use super::parent_hash;
	use alloc::vec::Vec;
	use polkadot_sdk::sp_core::H256;

	/// Appends Bitcoin's compact size of `n` (`n` < 65,536).
	pub fn push_length(out: &mut Vec<u8>, n: usize) {
		if n < 0xfd {
			out.push(n as u8);
		} else {
			out.push(0xfd);
			out.extend_from_slice(&(n as u16).to_le_bytes());
		}
	}

	/// A `merkleblock` of a block whose transactions are `leaves` (at most 65,535), matching
	/// every one — the largest proof for its size, every inner node hashed — without its
	/// 80-byte header (which commits to the root), and the block's Merkle root.
	pub fn full_merkle_block(leaves: &[H256]) -> (Vec<u8>, H256) {
		let total = leaves.len() as u32;
		let mut level = leaves.to_vec();
		while level.len() > 1 {
			level = level
				.chunks(2)
				.map(|pair| parent_hash(&pair[0], pair.get(1).unwrap_or(&pair[0])))
				.collect();
		}
		// Depth-first: every node is a parent of a match, every leaf a match.
		let mut height = 0;
		while (total + (1 << height) - 1) >> height > 1 {
			height += 1;
		}
		fn count(total: u32, height: u32, pos: u32, bits: &mut usize) {
			*bits += 1;
			if height > 0 {
				count(total, height - 1, pos * 2, bits);
				if pos * 2 + 1 < (total + (1 << (height - 1)) - 1) >> (height - 1) {
					count(total, height - 1, pos * 2 + 1, bits);
				}
			}
		}
		let mut bits = 0usize;
		count(total, height, 0, &mut bits);
		let mut body = total.to_le_bytes().to_vec();
		push_length(&mut body, leaves.len());
		for leaf in leaves {
			body.extend_from_slice(leaf.as_bytes());
		}
		let flag_bytes = bits.div_ceil(8);
		push_length(&mut body, flag_bytes);
		body.extend(core::iter::repeat_n(0xffu8, flag_bytes));
		(body, level.first().copied().unwrap_or_default())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const TX_825254: &[u8] = include_bytes!("../../../../testdata/bitcoin/tx-825254-2049.tx");
	const TX_825229: &[u8] = include_bytes!("../../../../testdata/bitcoin/tx-825229-930.tx");

	fn leaf(n: u8) -> H256 {
		H256::repeat_byte(n)
	}

	#[test]
	fn a_branch_folds_to_the_root_with_the_last_odd_node_paired_with_itself() {
		let (a, b, c) = (leaf(1), leaf(2), leaf(3));
		let root = parent_hash(&parent_hash(&a, &b), &parent_hash(&c, &c));
		assert_eq!(branch_root(a, &[b, parent_hash(&c, &c)], 0), Ok(root));
		assert_eq!(branch_root(b, &[a, parent_hash(&c, &c)], 1), Ok(root));
		// The last, odd node: its own sibling (a left node may be).
		assert_eq!(branch_root(c, &[c, parent_hash(&a, &b)], 2), Ok(root));
		// A single-transaction block: the root is the txid.
		assert_eq!(branch_root(a, &[], 0), Ok(a));
	}

	#[test]
	fn a_branch_refuses_a_right_node_equal_to_its_sibling_and_impossible_indices() {
		let (a, b) = (leaf(1), leaf(2));
		assert_eq!(branch_root(a, &[a, b], 1), Err(BranchError::DuplicateSibling));
		assert_eq!(branch_root(a, &[], 1), Err(BranchError::BadIndex));
		assert_eq!(branch_root(a, &[b], 2), Err(BranchError::BadIndex));
		let deep = [b; MAX_BRANCH_DEPTH as usize + 1];
		assert_eq!(branch_root(a, &deep, 0), Err(BranchError::BadIndex));
		assert!(branch_root(a, &deep[..MAX_BRANCH_DEPTH as usize], (1 << 15) - 2).is_ok());
	}

	#[test]
	fn last_push_reads_push_only_scripts() {
		assert_eq!(last_push(&[0x02, 7, 8, 0x01, 9]), Some(&[9u8][..]));
		assert_eq!(last_push(&[0x4c, 3, 1, 2, 3]), Some(&[1u8, 2, 3][..]));
		assert_eq!(last_push(&[0x4d, 2, 0, 9, 9]), Some(&[9u8, 9][..]));
		assert_eq!(last_push(&[0x01, 5, 0x51]), Some(&[][..]));
		assert_eq!(last_push(&[0x00]), Some(&[][..]));
		assert_eq!(last_push(&[]), None);
		// Not push-only, PUSHDATA4 (never needed), a push running past the end.
		assert_eq!(last_push(&[0x01, 5, 0x76]), None);
		assert_eq!(last_push(&[0x4e, 1, 0, 0, 0, 1]), None);
		assert_eq!(last_push(&[0x05, 1, 2]), None);
	}

	#[test]
	fn inputs_show_the_scripts_they_spend() {
		// 825,254 / 2,049, input 1: P2WPKH; its change output pays the same key.
		let tx = Transaction::parse(TX_825254).unwrap();
		assert_eq!(tx.inputs[1].witness.len(), 2);
		let change = tx.outputs[1].script_pubkey;
		assert!(spent_script_candidates(&tx.inputs[1]).iter().any(|s| s.as_slice() == change));
		// Its input 0 is a taproot key-path spend: one 64-byte signature, no script shown.
		assert!(spent_script_candidates(&tx.inputs[0]).is_empty());
		// 825,229 / 930, input 1: P2SH-P2WPKH (the redeem script pushed by the scriptSig).
		let tx = Transaction::parse(TX_825229).unwrap();
		let change = tx.outputs[1].script_pubkey;
		assert!(spent_script_candidates(&tx.inputs[1]).iter().any(|s| s.as_slice() == change));
		// Its native P2WPKH script too, from the pushed witness program: no witness needed.
		let mut bare = tx.inputs[1].clone();
		bare.witness.clear();
		let native = bare.script_sig[1..].to_vec();
		assert_eq!(&native[..2], &[0x00, 0x14]);
		assert_eq!(
			spent_script_candidates(&bare),
			alloc::vec![
				{
					let mut p2sh = alloc::vec![0xa9, 0x14];
					p2sh.extend(hash160(&native));
					p2sh.push(0x87);
					p2sh
				},
				native.clone()
			]
		);
		// A P2PKH spend with an uncompressed key, and a P2WSH spend.
		let key = [0x04u8; 65];
		let mut script_sig = alloc::vec![71];
		script_sig.extend([0x30u8; 71]);
		script_sig.push(65);
		script_sig.extend(key);
		let input = Input {
			prevout: OutPoint { txid: H256::zero(), vout: 0 },
			script_sig: &script_sig,
			witness: Vec::new(),
		};
		let mut p2pkh = alloc::vec![0x76, 0xa9, 0x14];
		p2pkh.extend(hash160(&key));
		p2pkh.extend([0x88, 0xac]);
		assert!(spent_script_candidates(&input).contains(&p2pkh));
		let witness_script = [0x51u8, 0x21, 2, 3];
		let input = Input {
			prevout: OutPoint { txid: H256::zero(), vout: 0 },
			script_sig: &[],
			witness: alloc::vec![&[0u8][..], &witness_script[..]],
		};
		let mut p2wsh = alloc::vec![0x00, 0x20];
		p2wsh.extend(sha2_256(&witness_script));
		assert_eq!(spent_script_candidates(&input), alloc::vec![p2wsh]);
	}

	/// Block 830,000: its coinbase, transaction 104 (one P2WPKH input) and their branches
	/// from `witness-proofs-830000.txt`.
	mod block_830000 {
		use super::*;

		const COINBASE: &[u8] = include_bytes!("../../../../testdata/bitcoin/coinbase-830000.tx");
		const TX_104: &[u8] = include_bytes!("../../../../testdata/bitcoin/tx-830000-104.tx");
		const PROOFS: &str = include_str!("../../../../testdata/bitcoin/witness-proofs-830000.txt");
		const HEADERS: &[u8] =
			include_bytes!("../../../../testdata/bitcoin/mainnet-headers-822528-830592.bin");

		fn unhex(s: &str) -> Vec<u8> {
			(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
		}

		fn hashes(field: &str) -> Vec<H256> {
			field.split(',').map(|h| H256::from_slice(&unhex(h))).collect()
		}

		fn line(name: &str) -> Vec<&'static str> {
			PROOFS
				.lines()
				.find(|line| line.starts_with(&format!("{name} ")))
				.unwrap()
				.split_whitespace()
				.collect()
		}

		fn root() -> H256 {
			let at = (830_000 - 822_528) * HEADER_SIZE;
			merkle_root(HEADERS[at..at + HEADER_SIZE].try_into().unwrap())
		}

		#[test]
		fn the_coinbase_commits_to_the_witnesses_of_transaction_104() {
			let coinbase = Transaction::parse(COINBASE).unwrap();
			let commitment = WitnessCommitment::of(&coinbase).unwrap();
			assert_eq!(
				commitment.commitment.as_bytes(),
				unhex("600220b4bd0f1c5b0fc50b2fab9acb53afe3c160b036b26eed89fc573718ca24")
			);
			assert_eq!(commitment.reserved, [0; 32]);
			// 1,851 transactions: 11 levels.
			assert_eq!(tree_depth(1_851), 11);
			let coinbase_branch = hashes(line("coinbase")[2]);
			assert_eq!(coinbase_branch.len(), 11);
			assert_eq!(branch_root(coinbase.txid, &coinbase_branch, 0), Ok(root()));
			let fields = line("104");
			let tx = Transaction::parse(TX_104).unwrap();
			assert!(tx.segwit && tx.spends_by_witness_only());
			assert_eq!(tx.txid.as_bytes(), unhex(fields[1]));
			assert_ne!(tx.wtxid(), tx.txid);
			assert_eq!(branch_root(tx.txid, &hashes(fields[2]), 104), Ok(root()));
			let witness_root = branch_root(tx.wtxid(), &hashes(fields[3]), 104).unwrap();
			assert!(commitment.commits(&witness_root));
			// Without its witness the transaction keeps its txid, not its wtxid.
			let stripped = strip_witness(TX_104);
			let bare = Transaction::parse(&stripped).unwrap();
			assert_eq!((bare.txid, bare.wtxid(), bare.segwit), (tx.txid, tx.txid, false));
			let bare_root = branch_root(bare.wtxid(), &hashes(fields[3]), 104).unwrap();
			assert!(!commitment.commits(&bare_root));
		}

		#[test]
		fn the_last_commitment_output_counts() {
			let coinbase = Transaction::parse(COINBASE).unwrap();
			let first = WitnessCommitment::of(&coinbase).unwrap();
			let mut script = WITNESS_COMMITMENT_PREFIX.to_vec();
			script.extend([0x42; 32]);
			let mut two = coinbase.clone();
			two.outputs.push(Output { value: 0, script_pubkey: &script });
			assert_eq!(WitnessCommitment::of(&two).unwrap().commitment, H256([0x42; 32]));
			// Followed by other outputs, still the last one with the tag.
			let other = [0x6a, 0x01, 0x00];
			two.outputs.push(Output { value: 0, script_pubkey: &other });
			assert_eq!(WitnessCommitment::of(&two).unwrap().commitment, H256([0x42; 32]));
			assert_ne!(first.commitment, H256([0x42; 32]));
		}

		#[test]
		fn another_reserved_value_commits_to_nothing() {
			let coinbase = Transaction::parse(COINBASE).unwrap();
			let commitment = WitnessCommitment::of(&coinbase).unwrap();
			let fields = line("104");
			let tx = Transaction::parse(TX_104).unwrap();
			let root = branch_root(tx.wtxid(), &hashes(fields[3]), 104).unwrap();
			assert!(commitment.commits(&root));
			let other = WitnessCommitment { reserved: [1; 32], ..commitment };
			assert!(!other.commits(&root));
		}

		#[test]
		fn no_commitment_without_the_output_or_a_single_32_byte_witness() {
			let coinbase = Transaction::parse(COINBASE).unwrap();
			let mut without = coinbase.clone();
			without.outputs.retain(|o| !o.script_pubkey.starts_with(&WITNESS_COMMITMENT_PREFIX));
			assert_eq!(WitnessCommitment::of(&without), None);
			let mut no_witness = coinbase.clone();
			no_witness.inputs[0].witness.clear();
			assert_eq!(WitnessCommitment::of(&no_witness), None);
			let mut short = coinbase;
			short.inputs[0].witness = alloc::vec![&[0u8; 31][..]];
			assert_eq!(WitnessCommitment::of(&short), None);
		}

		#[test]
		fn merkle_branch_folds_back_to_the_root() {
			// Every leaf of a five-leaf tree (the last node of odd levels paired with itself).
			let leaves: Vec<H256> = (1..=5).map(leaf).collect();
			let root = {
				let pair = |a: &H256, b: &H256| parent_hash(a, b);
				let l1 = [
					pair(&leaves[0], &leaves[1]),
					pair(&leaves[2], &leaves[3]),
					pair(&leaves[4], &leaves[4]),
				];
				let l2 = [pair(&l1[0], &l1[1]), pair(&l1[2], &l1[2])];
				pair(&l2[0], &l2[1])
			};
			for (i, leaf) in leaves.iter().enumerate() {
				let branch = merkle_branch(&leaves, i);
				assert_eq!(branch.len() as u32, tree_depth(5));
				assert_eq!(branch_root(*leaf, &branch, i as u32), Ok(root));
			}
			assert!(merkle_branch(&leaves, 5).is_empty());
			assert_eq!(merkle_branch(&leaves[..1], 0), Vec::<H256>::new());
			assert_eq!((tree_depth(0), tree_depth(1), tree_depth(2), tree_depth(3)), (0, 0, 1, 2));
		}

		/// `raw` serialized without its witness: version, the body between the BIP 144
		/// marker and flag and the witnesses, lock time.
		fn strip_witness(raw: &[u8]) -> Vec<u8> {
			let tx = Transaction::parse(raw).unwrap();
			let body = &raw[6..6 + tx.stripped_size - 8];
			[&raw[..4], body, &raw[raw.len() - 4..]].concat()
		}
	}
}
