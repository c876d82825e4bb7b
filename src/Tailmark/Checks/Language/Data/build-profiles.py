#!/usr/bin/env python3
"""Builds langdetect-profiles.bin, the n-gram statistics LanguageDetector reads, from langdetect 1.0.9.

IFEval's reference implementation names languages with langdetect 1.0.9. Its profiles (character n-gram counts
from Wikipedia, one per language, Apache License 2.0, Cybozu Labs) are figures, not code; this script packs them,
with the few normalisation tables the detector needs, into one little-endian binary file that loads without
parsing. Run it with a Python that can import langdetect 1.0.9 (Debian: apt-get install python3-langdetect, then
/usr/bin/python3 build-profiles.py). The output is committed; the build does not need Python.

Layout (all integers little-endian):
  "TMLD" u32 version (2)
  u32 L, then L names (u8 length + ASCII), then L x 3 i64 n-gram totals (n = 1, 2, 3)
  u32 K, K u64 keys ascending (code units c0 | c1 << 16 | c2 << 32 | length << 48), K + 1 u32 entry offsets
  u32 E, E u32 entries: language index << 25 | count (counts stay below 2^25, languages below 2^7)
  u32 M, M u16 Han characters ascending, then M u16 representatives of their classes
  u16 string: characters that Vietnamese tone marks combine with; u16 string: the five marks;
  5 u16 strings: the combined characters, one per mark, indexed like the first string
  u16 string: Latin-1 characters read as spaces
  (a u16 string is u16 length + UTF-16 code units)
"""
import json
import os
import struct
import sys

import langdetect
from langdetect.utils.ngram import NGram


OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "langdetect-profiles.bin")
PROFILES = os.path.join(os.path.dirname(langdetect.__file__), "profiles")


def pack_key(gram):
    key = len(gram) << 48
    for i, ch in enumerate(gram):
        code = ord(ch)
        if code > 0xFFFF:
            sys.exit(f"n-gram {gram!r} has a character outside the BMP; the key layout cannot hold it")
        key |= code << (16 * i)
    return key


def u16_string(text):
    return struct.pack("<H", len(text)) + text.encode("utf-16-le")


def main():
    names, totals, table = [], [], {}
    for index, name in enumerate(sorted(os.listdir(PROFILES))):
        with open(os.path.join(PROFILES, name), encoding="utf-8") as f:
            profile = json.load(f)
        names.append(profile["name"])
        totals.append(profile["n_words"])
        for gram, count in profile["freq"].items():
            table.setdefault(pack_key(gram), []).append((index, count))

    out = bytearray(b"TMLD") + struct.pack("<I", 2)
    out += struct.pack("<I", len(names))
    for name in names:
        out += struct.pack("<B", len(name)) + name.encode("ascii")
    for n_words in totals:
        out += struct.pack("<3q", *n_words)

    keys = sorted(table)
    offsets, entries = [0], []
    for key in keys:
        for index, count in table[key]:
            if count >= 1 << 25 or index >= 1 << 7:
                sys.exit(f"entry ({index}, {count}) does not fit 32 bits")
            entries.append(index << 25 | count)
        offsets.append(len(entries))
    out += struct.pack("<I", len(keys)) + struct.pack(f"<{len(keys)}Q", *keys)
    out += struct.pack(f"<{len(offsets)}I", *offsets)
    out += struct.pack("<I", len(entries)) + struct.pack(f"<{len(entries)}I", *entries)

    cjk = sorted((ord(a), ord(b)) for a, b in NGram.CJK_MAP.items())
    out += struct.pack("<I", len(cjk))
    out += struct.pack(f"<{len(cjk)}H", *(a for a, _ in cjk)) + struct.pack(f"<{len(cjk)}H", *(b for _, b in cjk))

    out += u16_string(NGram.TO_NORMALIZE_VI_CHARS) + u16_string(NGram.DMARK_CLASS)
    for combined in NGram.NORMALIZED_VI_CHARS:
        out += u16_string(combined)
    out += u16_string(NGram.LATIN1_EXCLUDED)

    with open(OUT, "wb") as f:
        f.write(out)
    print(f"{OUT}: {len(names)} languages, {len(keys)} n-grams, {len(entries)} counts, {len(cjk)} Han classes, {len(out)} bytes")


if __name__ == "__main__":
    main()
