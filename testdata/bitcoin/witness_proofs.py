"""Writes witness-proofs-830000.txt from Bitcoin mainnet block 830,000 (raw, as Core's
getblock <hash> 0 gives it): the coinbase's Merkle branch and, for the transactions named on
the command line, their txid branch and their witness (wtxid) branch (BIP 141: the coinbase's
wtxid is taken as zero). Hashes in internal byte order, leaf level first.
Usage: python3 witness_proofs.py block-830000.raw 104 105 > witness-proofs-830000.txt"""
import hashlib, sys

def dsha(b): return hashlib.sha256(hashlib.sha256(b).digest()).digest()

def varint(b, p):
    x = b[p]
    if x < 0xfd: return x, p + 1
    n = {0xfd: 2, 0xfe: 4, 0xff: 8}[x]
    return int.from_bytes(b[p + 1:p + 1 + n], 'little'), p + 1 + n

def transactions(raw):
    n, p = varint(raw, 80)
    out = []
    for _ in range(n):
        start = p; p += 4
        seg = raw[p] == 0 and raw[p + 1] == 1
        if seg: p += 2
        body = p
        k, p = varint(raw, p)
        for _ in range(k):
            p += 36; l, p = varint(raw, p); p += l + 4
        m, p = varint(raw, p)
        for _ in range(m):
            p += 8; l, p = varint(raw, p); p += l
        body_end = p
        if seg:
            for _ in range(k):
                items, p = varint(raw, p)
                for _ in range(items):
                    l, p = varint(raw, p); p += l
        p += 4
        stripped = raw[start:start + 4] + raw[body:body_end] + raw[p - 4:p]
        out.append((dsha(stripped), dsha(raw[start:p]) if seg else dsha(stripped)))
    assert p == len(raw)
    return out

def branch(leaves, index):
    siblings = []
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2: level.append(level[-1])
        siblings.append(level[index ^ 1])
        level = [dsha(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        index //= 2
    return siblings

raw = open(sys.argv[1], 'rb').read()
txs = transactions(raw)
txids = [t for t, _ in txs]
wtxids = [bytes(32)] + [w for _, w in txs[1:]]
root = txids[0]
level = list(txids)
while len(level) > 1:
    if len(level) % 2: level.append(level[-1])
    level = [dsha(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
assert level[0] == raw[36:68], "the header's Merkle root"
print("# Merkle proofs in Bitcoin mainnet block 830,000 (%d transactions), internal byte order," % len(txs))
print("# leaf level first. Written by witness_proofs.py from the raw block; see README.md.")
print("# coinbase <txid> <branch of the coinbase, index 0>")
print("# <index> <txid> <txid branch> <witness branch>")
print("coinbase %s %s" % (txids[0].hex(), ",".join(s.hex() for s in branch(txids, 0))))
for arg in sys.argv[2:]:
    i = int(arg)
    print("%d %s %s %s" % (i, txids[i].hex(), ",".join(s.hex() for s in branch(txids, i)),
                           ",".join(s.hex() for s in branch(wtxids, i))))
