#!/usr/bin/env python3
"""Fails when a co_await expression holds a conditional (?:), a braced list of string literals or
a class temporary made by braces (`T{...}`).

g++ 12 miscompiles class-type temporaries made that way inside a coroutine: this project saw a
double free from `co_await f(x ? a() : b())` (a std::string from either arm), an "array used
as initializer" from braced string lists, and "free(): invalid size" from
`co_await change_accounts(cp, signup_user{...})`. Name the value first, then co_await.

usage: coroutine_temporaries.py [--self-test] [ROOT]
"""
import os
import re
import sys

DIRS = ("http", "actors", "storage", "config", "main.cpp", "tests/support")
CONDITIONAL = re.compile(r"\?[^:;]*:(?!:)")
BRACED_STRINGS = re.compile(r"\{\s*\"")
BRACED_TEMPORARY = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(<[^;(){}]*>)?\{[^}]")


def strip(code):
    """Removes comments, and the contents of string and character literals."""
    code = re.sub(r"//[^\n]*", "", code)
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    code = re.sub(r'R"\((.*?)\)"', '""', code, flags=re.S)
    return re.sub(r'"(\\.|[^"\\])*"', '""', code)


def findings(path, text):
    code = strip(text)
    out = []
    for m in re.finditer(r"co_await\b", code):
        end = code.find(";", m.end())
        statement = code[m.start():end if end >= 0 else len(code)]
        line = code.count("\n", 0, m.start()) + 1
        if CONDITIONAL.search(statement):
            out.append(f"{path}:{line}: ?: inside a co_await expression")
        elif BRACED_STRINGS.search(statement):
            out.append(f"{path}:{line}: braced string list inside a co_await expression")
        elif BRACED_TEMPORARY.search(statement):
            out.append(f"{path}:{line}: braced class temporary inside a co_await expression")
    return out


def scan(root):
    out = []
    for d in DIRS:
        p = os.path.join(root, d)
        files = [p] if os.path.isfile(p) else [os.path.join(dp, f) for dp, _, fs in os.walk(p)
                                                for f in fs if f.endswith((".cpp", ".hpp"))]
        for f in sorted(files):
            with open(f, encoding="utf-8") as fh:
                out += findings(os.path.relpath(f, root), fh.read())
    return out


def self_test():
    bad = ['co_return co_await fail(c, ec, x ? total(c) : idle(c));',
           'co_await send(s, {"a", "b"});',
           'auto r = co_await change(cp, signup_user{u, role});']
    good = ['auto m = x ? total(c) : idle(c);\nco_return co_await fail(c, ec, std::move(m));',
            'co_await send(s, std::string("?:"));  // a ? b : c in a comment',
            'co_await relay(s, rt, std::chrono::seconds(1), ns::value);',
            'account_command cmd = signup_user{u, role};\nco_await change(cp, std::move(cmd));']
    ok = all(findings("bad", b) for b in bad) and not any(findings("good", g) for g in good)
    print("self-test", "passed" if ok else "FAILED")
    return ok


if __name__ == "__main__":
    args = sys.argv[1:]
    if not self_test():
        sys.exit(1)
    if args and args[0] == "--self-test":
        sys.exit(0)
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "..")
    problems = scan(root)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
