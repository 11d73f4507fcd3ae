#!/usr/bin/env python3
"""Finds import circles between the files of a Rust crate's src/ directory.

Usage: import_cycles.py DIR [DIR ...]   (each DIR a crate's src/)

A file depends on another when it names an item of it: a `use` line, or a
path written inline (`crate::store::audit(..)`, `super::bind::num`). Paths
are resolved as rustc would for the 2018 edition: `crate::`, `super::`,
`self::`, and in a crate root or for a module the file declares (`mod x;`),
a bare `x::`. Each path resolves to the deepest file that exists for it.
Declaring a module (`mod x;`) is not a dependency, and inline modules
(`mod tests { .. }`) are left out. Exits 1 and prints each
circle when any file reaches itself again.
"""

import os
import re
import sys

PATH = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+|[a-z_][a-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M | re.S)
MOD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", re.M)
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


INLINE_MOD = re.compile(r"\bmod\s+[a-z_][a-z0-9_]*\s*\{")


def without_inline_modules(text):
    """Drops `mod tests { .. }` and other inline modules: their `super::`
    means the file itself, and test code is not part of the structure."""
    while True:
        m = INLINE_MOD.search(text)
        if not m:
            return text
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += text[i] == "{"
            depth -= text[i] == "}"
            i += 1
            if depth == 0:
                break
        text = text[: m.start()] + text[i:]


def module_of(root, path):
    """`store/seats.rs` -> ['store', 'seats']; `store/mod.rs` -> ['store']."""
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] == "mod" or (len(rel) == 1 and rel[0] in ("lib", "main")):
        rel = rel[:-1]
    return rel


def file_of(files, module):
    """The deepest file that holds a prefix of `module`."""
    for n in range(len(module), -1, -1):
        if tuple(module[:n]) in files:
            return files[tuple(module[:n])]
    return None


def expand_use(tree):
    """`a::{b, c::{d, self}}` -> ['a::b', 'a::c::d', 'a::c']."""
    tree = re.sub(r"\s+", "", tree)
    if "{" not in tree:
        return [tree.split(" as ")[0].replace("::self", "")]
    head, _, rest = tree.partition("{")
    inner = rest[: rest.rfind("}")]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    out = []
    for p in filter(None, parts):
        if p == "self":
            out.append(head.rstrip(":"))
        else:
            out.extend(expand_use(head + p))
    return out


def resolve(path, here, declared, is_root):
    segs = path.replace(" ", "").split("::")
    first = segs[0]
    if first == "crate":
        return segs[1:]
    if first in ("super", "self"):
        base = list(here)
        while segs and segs[0] in ("super", "self"):
            if segs.pop(0) == "super":
                base = base[:-1]
        return base + segs
    if is_root or first in declared:
        return list(here) + segs
    return None  # an external crate or a prelude name


def graph(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(dirpath, name)
                files[tuple(module_of(root, path))] = path
    edges = {path: set() for path in files.values()}
    for module, path in files.items():
        text = open(path, encoding="utf-8").read()
        text = without_inline_modules(STRING.sub('""', COMMENT.sub("", text)))
        declared = set(MOD.findall(text))
        is_root = module == ()
        paths = []
        for tree in USE.findall(text):
            paths.extend(expand_use(tree))
        paths.extend(PATH.findall(USE.sub("", text)))
        for p in paths:
            target = resolve(p, module, declared, is_root)
            if target is None:
                continue
            dep = file_of(files, target)
            if dep and dep != path:
                # A parent naming its own child module's items is an import.
                edges[path].add(dep)
    return edges


def cycles(edges):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    bad = 0
    for root in sys.argv[1:]:
        edges = graph(root)
        for comp in cycles(edges):
            bad += 1
            names = [os.path.relpath(p, root) for p in comp]
            detail = "; ".join(
                f"{os.path.relpath(a, root)} -> {os.path.relpath(b, root)}"
                for a in comp
                for b in sorted(edges[a])
                if b in comp
            )
            print(f"import circle in {root}: {', '.join(names)}\n    {detail}")
    if bad:
        sys.exit(1)
    print(f"no import circles in {', '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
