#!/usr/bin/env python3
"""Generates the compile benchmark's inputs into OUT_DIR (python3 stdlib only):

  literal.asmplan   (a) LITERAL steps written out one by one, each after the previous
  literal.ninja     the same graph as a build.ninja (one edge per step)
  for.asmplan       (b) a small source: a `for` group of 10 steps over a list of ELEMENTS
  for.ninja         the expanded graph as a build.ninja (10 * ELEMENTS edges)

Every step restarts a deployment and waits for its pods; every ninja edge carries an equivalent
command line, so both tools read comparable amounts of text per node.
"""
import argparse
import os

STEP_BODY = """    run kubectl rollout restart deployment -n {ns}
    timeout 10m
    wait until pods in ns {ns} all show 2/2 timeout 20m every 15s
"""

NINJA_RULE = "rule run\n  command = $cmd\n  description = $desc\n\n"
NINJA_CMD = ("kubectl rollout restart deployment -n {ns} && "
             "kubectl wait pods -n {ns} --for=condition=ready --timeout=20m")


def literal_plan(steps):
    out = ["plan bench_literal {\n", '  title "%d literal steps"\n\n' % steps]
    for i in range(steps):
        after = " after s%d" % (i - 1) if i else ""
        out.append("  step s%d%s {\n" % (i, after))
        out.append(STEP_BODY.format(ns='"ns%d"' % i))
        out.append("  }\n")
    out.append("}\n")
    return "".join(out)


def for_plan(elements):
    names = ", ".join('"ns%d"' % i for i in range(elements))
    out = ["plan bench_for {\n", '  title "10 steps over %d namespaces"\n' % elements,
           "  param namespaces : list<string> = [%s]\n\n" % names,
           "  for ns in namespaces parallel 8 {\n"]
    for k in range(10):
        after = " after g%d[${ns}]" % (k - 1) if k else ""
        out.append("    step g%d[${ns}]%s {\n" % (k, after))
        out.append("  " + STEP_BODY.format(ns="${ns}").replace("\n    ", "\n      "))
        out.append("    }\n")
    out.append("  }\n}\n")
    return "".join(out)


def ninja_edge(out, ns, name, dep):
    out.append("build %s: run bench.asmplan%s\n" % (name, " | " + dep if dep else ""))
    out.append("  cmd = %s\n  desc = %s\n" % (NINJA_CMD.format(ns=ns), name))


def literal_ninja(steps):
    out = [NINJA_RULE]
    for i in range(steps):
        ninja_edge(out, "ns%d" % i, "s%d" % i, "s%d" % (i - 1) if i else "")
    return "".join(out)


def for_ninja(elements):
    out = [NINJA_RULE]
    for i in range(elements):
        for k in range(10):
            dep = "g%d_ns%d" % (k - 1, i) if k else ""
            ninja_edge(out, "ns%d" % i, "g%d_ns%d" % (k, i), dep)
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--literal", type=int, default=10000, help="steps of case (a)")
    parser.add_argument("--elements", type=int, default=10000, help="list length of case (b)")
    args = parser.parse_args()
    files = {
        "literal.asmplan": literal_plan(args.literal),
        "literal.ninja": literal_ninja(args.literal),
        "for.asmplan": for_plan(args.elements),
        "for.ninja": for_ninja(args.elements),
    }
    for name, text in files.items():
        with open(os.path.join(args.out_dir, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
