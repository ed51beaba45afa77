#!/usr/bin/env python3
"""Differential fuzzing of an engine against crm_simulate on mutated conformance cases.

usage: fuzz_compare.py [--seed N] [--count N] [--tier core|tier2|all] [--mutations K]
                       [--engine 'COMMAND {xml} {args}'] [--out DIR] [--only TIER:INDEX] [--keep-all] [-v]
       fuzz_compare.py --minimise FILE [--args ARGS] > SMALLER.xml

Each variant is one conformance case of the tier (tests/conformance/pacemaker-2.1.5/TIER) with K random but
valid mutations within the corpus' features (location/colocation scores incl. +/-INFINITY, stickiness,
migration-threshold, target-role, is-managed, node standby/maintenance/offline, adding or removing a location,
colocation or order constraint between existing resources, adding or dropping a failed operation or a fail
count, no-quorum-policy with quorum lost, symmetric-cluster, ...). The variant is written to DIR, run through
`crm_simulate -x VARIANT -S ARGS` (the reference; variants it rejects are skipped) and through the engine
(default: hactl simulate of this worktree's Release build), and compared on
  (a) the final placement (tools/placement_of.py rows KEY ROLE NODE, FLAGS ignored), and
  (b) the Transition Summary lines (whitespace ignored).
A variant whose difference is exactly the unmutated case's (a known gap) counts as "inherited", not as differing;
one where only crm_simulate's revised status shows an instance still on the node the (equal) summary moved or
stopped it from counts as "artefact" (its injected stop loses against a fuzzed failure with a higher call-id).
ARGS are the manifest's crm_simulate_extra_args (e.g. "-t 2005-020"); hactl takes the same -t DATE.

--minimise FILE [--args '-t DATE'] shrinks a differing CIB greedily (drops resources with their constraints and
history, then constraints, while the same kind of difference remains) and prints it.

Variant TIER:I is a function of (--seed, TIER, I, --mutations) only, so `--only core:17` regenerates one variant.
Differing variants are kept in DIR as TIER-I.xml with TIER-I.{ref,eng}.txt and a TIER-I.diff explaining the
difference; the mutation is recorded as an XML comment at the top of the variant.

Tiers: --tier all runs --count variants of core first, then of tier2.
Exit status: 0 when no variant differed, 1 otherwise.
"""
import argparse, csv, importlib.util, os, random, re, shutil, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "pacemaker-2.1.5")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
HACTL = os.path.join(REPO, "src/ClusterManager.Cli/bin/Release/net10.0/hactl.dll")
_spec = importlib.util.spec_from_file_location("placement_of", os.path.join(HERE, "placement_of.py"))
P = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(P)

SCORES = ["-INFINITY", "-1000", "-100", "-10", "0", "10", "100", "1000", "INFINITY"]
_ids = [0]


def fresh_id(prefix="fz"):
    _ids[0] += 1
    return f"{prefix}-{_ids[0]}"


# ---------------------------------------------------------------- CIB helpers
def cfg(root, tag):
    c = root.find("configuration")
    el = c.find(tag)
    if el is None:
        el = ET.SubElement(c, tag)
    return el


def top_resources(root):
    """Top-level resources (primitive, group, clone, master/promotable) as elements."""
    return list(cfg(root, "resources"))


def all_primitives(root):
    return [p for p in cfg(root, "resources").iter("primitive")]


def is_clone(el):
    return el.tag in ("clone", "master")


def is_promotable(el):
    if el.tag == "master":
        return True
    if el.tag != "clone":
        return False
    for nv in el.iter("nvpair"):
        if nv.get("name") == "promotable" and nv.get("value", "").lower() in ("true", "yes", "1", "on"):
            return True
    return False


def node_names(root):
    return [n.get("uname") for n in cfg(root, "nodes").findall("node")
            if n.get("uname") and n.get("type", "member") in ("member", "normal")]


def node_states(root):
    st = root.find("status")
    return [] if st is None else st.findall("node_state")


def set_meta(el, name, value):
    """Set (or replace) a meta attribute on a resource (or rsc_defaults)."""
    for ma in el.findall("meta_attributes"):
        for nv in ma.findall("nvpair"):
            if nv.get("name") == name:
                nv.set("value", value)
                return
    ma = el.find("meta_attributes")
    if ma is None:
        ma = ET.Element("meta_attributes", id=fresh_id(el.get("id", "defaults") + "-meta"))
        # meta_attributes come before operations / children in the schema; position 0 is always valid
        el.insert(0, ma)
    ET.SubElement(ma, "nvpair", id=fresh_id(), name=name, value=value)


def set_crm_option(root, name, value):
    crm = cfg(root, "crm_config")
    for nv in crm.iter("nvpair"):
        if nv.get("name") == name:
            nv.set("value", value)
            return
    cps = crm.find("cluster_property_set")
    if cps is None:
        cps = ET.SubElement(crm, "cluster_property_set", id="cib-bootstrap-options")
    ET.SubElement(cps, "nvpair", id=fresh_id(), name=name, value=value)


def set_node_attr(root, uname, name, value):
    for n in cfg(root, "nodes").findall("node"):
        if n.get("uname") == uname:
            for ia in n.findall("instance_attributes"):
                for nv in ia.findall("nvpair"):
                    if nv.get("name") == name:
                        nv.set("value", value)
                        return
            ia = n.find("instance_attributes")
            if ia is None:
                ia = ET.SubElement(n, "instance_attributes", id=fresh_id("nodes-" + n.get("id")))
            ET.SubElement(ia, "nvpair", id=fresh_id(), name=name, value=value)
            return


def constraint_targets(root):
    """Resource ids a constraint may name: top-level resources and group members."""
    ids = []
    for r in top_resources(root):
        if r.tag in ("primitive", "group", "clone", "master"):
            ids.append(r.get("id"))
        if r.tag == "group":
            ids.extend(p.get("id") for p in r.findall("primitive"))
    return ids


# ---------------------------------------------------------------- mutations
# Each returns a description, or None when it does not apply to this CIB.
def _rescore(kind, cands, rng):
    if not cands:
        return None
    el = rng.choice(cands)
    old, new = el.get("score"), rng.choice(SCORES)
    el.set("score", new)
    return f"score of {kind} {el.get('id')} {old} -> {new}"


def m_location_score(root, rng):
    locs = [c for c in cfg(root, "constraints").iter("rsc_location") if c.get("score") is not None]
    rules = [r for c in cfg(root, "constraints").iter("rsc_location") for r in c.findall("rule") if r.get("score")]
    return _rescore("location", locs + rules, rng)


def m_colocation_score(root, rng):
    return _rescore("colocation", [c for c in cfg(root, "constraints").iter("rsc_colocation") if c.get("score") is not None], rng)


def m_stickiness(root, rng):
    value = rng.choice(["0", "1", "50", "100", "1000", "INFINITY", "-100"])
    if rng.random() < 0.4:
        rd = cfg(root, "rsc_defaults")
        set_meta(rd, "resource-stickiness", value)
        return f"rsc_defaults resource-stickiness={value}"
    el = rng.choice(top_resources(root) or [None])
    if el is None:
        return None
    set_meta(el, "resource-stickiness", value)
    return f"{el.get('id')} resource-stickiness={value}"


def m_migration_threshold(root, rng):
    el = rng.choice(top_resources(root) or [None])
    if el is None:
        return None
    value = rng.choice(["1", "2", "3", "INFINITY"])
    set_meta(el, "migration-threshold", value)
    return f"{el.get('id')} migration-threshold={value}"


def m_target_role(root, rng):
    cands = top_resources(root) + [p for g in cfg(root, "resources").iter("group") for p in g.findall("primitive")]
    if not cands:
        return None
    el = rng.choice(cands)
    roles = ["Stopped", "Started"]
    if is_promotable(el):
        roles += ["Promoted", "Unpromoted"]
    value = rng.choice(roles)
    set_meta(el, "target-role", value)
    return f"{el.get('id')} target-role={value}"


def m_is_managed(root, rng):
    el = rng.choice(top_resources(root) or [None])
    if el is None:
        return None
    value = rng.choice(["false", "true"])
    set_meta(el, "is-managed", value)
    return f"{el.get('id')} is-managed={value}"


def m_node_standby(root, rng):
    names = node_names(root)
    if not names:
        return None
    n, attr = rng.choice(names), rng.choice(["standby", "standby", "maintenance"])
    value = rng.choice(["on", "on", "off"]) if attr == "standby" else rng.choice(["true", "false"])
    set_node_attr(root, n, attr, value)
    return f"node {n} {attr}={value}"


def m_node_offline(root, rng):
    states = [s for s in node_states(root) if s.get("crmd") == "online" or s.get("in_ccm") == "true"]
    if len(states) < 2:
        return None
    s = rng.choice(states)
    s.set("in_ccm", "false"); s.set("crmd", "offline"); s.set("join", "down"); s.set("expected", "down")
    return f"node {s.get('uname')} cleanly offline"


def m_remove_constraint(root, rng):
    cons = cfg(root, "constraints")
    cands = [c for c in cons if c.tag in ("rsc_location", "rsc_colocation", "rsc_order")]
    if not cands:
        return None
    el = rng.choice(cands)
    cons.remove(el)
    return f"removed {el.tag} {el.get('id')}"


def m_add_location(root, rng):
    ids, names = constraint_targets(root), node_names(root)
    if not ids or not names:
        return None
    r, n, s = rng.choice(ids), rng.choice(names), rng.choice(SCORES)
    ET.SubElement(cfg(root, "constraints"), "rsc_location", id=fresh_id("fz-loc"), rsc=r, node=n, score=s)
    return f"added location {r} on {n} score {s}"


def m_add_colocation(root, rng):
    ids = [i for i in constraint_targets(root)]
    if len(ids) < 2:
        return None
    a, b = rng.sample(ids, 2)
    s = rng.choice(SCORES)
    ET.SubElement(cfg(root, "constraints"), "rsc_colocation", id=fresh_id("fz-col"), rsc=a, score=s, **{"with-rsc": b})
    return f"added colocation {a} with {b} score {s}"


def m_add_order(root, rng):
    ids = [i for i in constraint_targets(root)]
    if len(ids) < 2:
        return None
    a, b = rng.sample(ids, 2)
    kind = rng.choice(["Mandatory", "Mandatory", "Optional", "Serialize"])
    attrs = {"id": fresh_id("fz-ord"), "first": a, "then": b, "kind": kind}
    if rng.random() < 0.3:
        attrs["symmetrical"] = rng.choice(["true", "false"])
    ET.SubElement(cfg(root, "constraints"), "rsc_order", **attrs)
    return f"added order {a} then {b} kind {kind}"


def _max_call_id(lrm_rsc):
    return max([int(o.get("call-id", "0")) for o in lrm_rsc.findall("lrm_rsc_op")] + [0])


def _online_lrm_resources(root):
    out = []
    for s in node_states(root):
        if s.get("crmd") != "online":
            continue
        for lr in s.iter("lrm_resource"):
            out.append((s, lr))
    return out


def m_add_failed_op(root, rng):
    cands = [(s, lr) for s, lr in _online_lrm_resources(root) if lr.find("lrm_rsc_op") is not None]
    if not cands:
        return None
    s, lr = rng.choice(cands)
    rid = lr.get("id")
    active = any(o.get("operation") in ("start", "promote", "migrate_from") or
                 (o.get("operation") == "monitor" and o.get("rc-code") in ("0", "8"))
                 for o in lr.findall("lrm_rsc_op"))
    if active and rng.random() < 0.7:
        op, interval, rc = "monitor", "10000", rng.choice(["1", "7"])
    else:
        op, interval, rc = rng.choice(["start", "stop", "monitor"]), "0", "1"
    status = rng.choice(["0", "0", "0", "2", "4"])  # done, timed out, error
    call = _max_call_id(lr) + 1
    tkey = f"{call}:1:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    ET.SubElement(lr, "lrm_rsc_op", {
        "id": f"{rid}_last_failure_0" if lr.find(f"lrm_rsc_op[@id='{rid}_last_failure_0']") is None else fresh_id(rid),
        "operation_key": f"{rid}_{op}_{interval}", "operation": op, "crm-debug-origin": "fuzz",
        "crm_feature_set": "3.0.6", "transition-key": tkey, "transition-magic": f"{status}:{rc};{tkey}",
        "call-id": str(call), "rc-code": rc, "op-status": status, "interval": interval,
        "last-rc-change": "1700000000", "exec-time": "0", "queue-time": "0"})
    return f"failed {op}_{interval} rc={rc} op-status={status} of {rid} on {s.get('uname')}"


def m_drop_failed_op(root, rng):
    cands = []
    for s, lr in _online_lrm_resources(root):
        for o in lr.findall("lrm_rsc_op"):
            rc, op = o.get("rc-code", "0"), o.get("operation")
            bad = o.get("op-status", "0") not in ("0", "-1") or (rc not in ("0", "8") and not (rc == "7" and o.get("interval", "0") == "0"))
            if bad:
                cands.append((s, lr, o))
    if not cands:
        return None
    s, lr, o = rng.choice(cands)
    lr.remove(o)
    return f"dropped op {o.get('id')} of {lr.get('id')} on {s.get('uname')}"


def m_fail_count(root, rng):
    cands = [(s, lr) for s, lr in _online_lrm_resources(root)]
    if not cands:
        return None
    s, lr = rng.choice(cands)
    rid = lr.get("id")
    ta = s.find("transient_attributes")
    if ta is None:
        ta = ET.Element("transient_attributes", id=s.get("id"))
        s.insert(0, ta)
    ia = ta.find("instance_attributes")
    if ia is None:
        ia = ET.SubElement(ta, "instance_attributes", id=f"status-{s.get('id')}")
    existing = [nv for nv in ia.findall("nvpair") if nv.get("name", "").startswith("fail-count-")]
    if existing and rng.random() < 0.4:
        nv = rng.choice(existing)
        ia.remove(nv)
        return f"removed {nv.get('name')} on {s.get('uname')}"
    op = rng.choice(["monitor_10000", "start_0", "stop_0"])
    value = rng.choice(["1", "2", "3", "INFINITY"])
    ET.SubElement(ia, "nvpair", id=fresh_id(), name=f"fail-count-{rid}#{op}", value=value)
    ET.SubElement(ia, "nvpair", id=fresh_id(), name=f"last-failure-{rid}#{op}", value="1700000000")
    return f"fail-count-{rid}#{op}={value} on {s.get('uname')}"


def m_no_quorum(root, rng):
    policy = rng.choice(["stop", "freeze", "ignore", "demote", "suicide"])
    set_crm_option(root, "no-quorum-policy", policy)
    if rng.random() < 0.7:
        root.set("have-quorum", "0")
        return f"no-quorum-policy={policy}, quorum lost"
    return f"no-quorum-policy={policy}"


def m_symmetric(root, rng):
    value = rng.choice(["false", "true"])
    set_crm_option(root, "symmetric-cluster", value)
    return f"symmetric-cluster={value}"


def m_stonith_enabled(root, rng):
    value = rng.choice(["false", "true"])
    set_crm_option(root, "stonith-enabled", value)
    return f"stonith-enabled={value}"


MUTATIONS = [
    (m_location_score, 3), (m_colocation_score, 3), (m_stickiness, 2), (m_migration_threshold, 1),
    (m_target_role, 2), (m_is_managed, 1), (m_node_standby, 2), (m_node_offline, 1),
    (m_remove_constraint, 2), (m_add_location, 2), (m_add_colocation, 2), (m_add_order, 2),
    (m_add_failed_op, 2), (m_drop_failed_op, 1), (m_fail_count, 2), (m_no_quorum, 1), (m_symmetric, 1),
    (m_stonith_enabled, 1),
]


def mutate(root, rng, k):
    done = []
    funcs = [f for f, _ in MUTATIONS]
    weights = [w for _, w in MUTATIONS]
    for _ in range(50):
        if len(done) >= k:
            break
        d = rng.choices(funcs, weights)[0](root, rng)
        if d:
            done.append(d)
    return done


# ---------------------------------------------------------------- running and comparing
def summary_lines(text):
    lines = text.splitlines()
    try:
        i = lines.index("Transition Summary:")
    except ValueError:
        return None
    out = []
    for l in lines[i + 1:]:
        if l.startswith("Executing Cluster Transition") or l.startswith("Revised Cluster Status") \
                or l.startswith("Using the original execution date"):
            break
        if l.strip():
            out.append(l)
    return out


def placement(text):
    return sorted(tuple(r.cols(False)) for r in P.placement(text)[0])


def nows(s):
    return re.sub(r"\s+", "", s)


def load_cases(tier):
    d = os.path.join(CORPUS, tier)
    with open(os.path.join(d, "manifest.csv")) as f:
        return [(tier, r["name"], os.path.join(d, r["name"] + ".xml"), quote_date(r["crm_simulate_extra_args"]))
                for r in csv.DictReader(f)]


def quote_date(extra):
    """'-t 2014-05-07 00:28:00' as one argument (the manifest leaves it unquoted; the tests read all of it)."""
    extra = extra.strip()
    if extra.startswith("-t ") and " " in extra[3:].strip() and not extra[3:].strip().startswith(("'", '"')):
        return "-t '" + extra[3:].strip() + "'"
    return extra


def run(cmd, env, timeout=120):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, env=env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, "", "timeout"


def diff_key(pr, pe, sr, se):
    """What differs, as sets of rows/lines; equal keys mean the same difference."""
    sref, seng = {nows(x) for x in sr}, {nows(x) for x in se}
    return (frozenset(set(pr) ^ set(pe)), frozenset(sref ^ seng))


def stop_artefact(pr, pe, sr):
    """Same decisions, but crm_simulate's revised status still shows active what the (equal) summary stops or
    moves away from that node (its injected stop loses against a fuzzed failure with a higher call-id): every
    row only crm_simulate has is such an instance, every row only the engine has is that resource Stopped."""
    strip = lambda n: re.sub(r":\d+$", "", n)
    left = set()
    for line in sr:
        m = re.match(r"\s*\*\s+(Stop|Move|Migrate|Recover)\s+(\S+)\s+\(\s*(\S+)", line)
        if m:
            left.add((strip(m.group(2)), m.group(3)))
    only_ref, only_eng = set(pr) - set(pe), set(pe) - set(pr)
    return bool(only_ref) and all(r != "Stopped" and (strip(k.split("/")[-1]), n) in left for k, r, n in only_ref) and \
        all(r == "Stopped" and k in {x[0] for x in only_ref} for k, r, _ in only_eng)


_base = {}


def base_diff(args, tier, name, path, extra, env):
    """The difference on the unmutated case (a known gap), computed once per case."""
    if (tier, name) not in _base:
        q = lambda s: "'" + s.replace("'", "'\\''") + "'"
        _, ref, _ = run(f"crm_simulate -x {q(path)} -S {extra}", env)
        _, eng, _ = run(args.engine.replace("{xml}", q(path)).replace("{args}", extra), env)
        try:
            pe = placement(eng)
        except Exception:  # noqa: BLE001
            pe = []
        _base[(tier, name)] = diff_key(placement(ref), pe, summary_lines(ref) or [], summary_lines(eng) or [])
    return _base[(tier, name)]


def one_variant(args, tier, index, cases, shadow, keep):
    rng = random.Random(f"{args.seed}:{tier}:{index}:{args.mutations}")
    _ids[0] = 0
    _, name, path, extra = rng.choice(cases)
    root = ET.parse(path).getroot()
    muts = mutate(root, rng, args.mutations)
    if not muts:
        return "skip", name, muts, None
    tag = f"{tier}-{index}"
    out_xml = os.path.join(args.out, tag + ".xml")
    body = ET.tostring(root, encoding="unicode")
    comment = f"<!-- fuzz_compare.py seed {args.seed} variant {tier}:{index}: {tier}/{name} with " + \
        "; ".join(m.replace("--", "-") for m in muts) + " -->\n"
    with open(out_xml, "w") as f:
        f.write(comment + body + "\n")
    env = dict(os.environ, CIB_shadow_dir=shadow)
    q = lambda s: "'" + s.replace("'", "'\\''") + "'"
    rc, ref, err = run(f"crm_simulate -x {q(out_xml)} -S {extra}", env)
    bad_err = [l for l in err.splitlines() if re.search(r"\berror\b|critical", l, re.I)]
    if rc != 0 or bad_err or "Transition Summary:" not in ref:
        if not keep:
            os.remove(out_xml)
        return "rejected", name, muts, (bad_err or [f"exit {rc}"])[0]
    erc, eng, eerr = run(args.engine.replace("{xml}", q(out_xml)).replace("{args}", extra), env)
    try:
        pr, pe = placement(ref), placement(eng)
    except Exception as e:  # noqa: BLE001 - reported as a difference
        pr, pe = placement(ref), [("ERROR", str(e), "")]
    sr, se = summary_lines(ref) or [], summary_lines(eng)
    if se is None:
        se = ["<no Transition Summary: " + (eerr.strip().splitlines() or ["?"])[-1] + ">"]
    pdiff = pr != pe
    sdiff = [nows(x) for x in sr] != [nows(x) for x in se]
    if (pdiff or sdiff) and base_diff(args, tier, name, path, extra, env) == diff_key(pr, pe, sr, se):
        if not keep:
            os.remove(out_xml)
        return "inherited", name, muts, None
    if not (pdiff or sdiff):
        if not keep:
            os.remove(out_xml)
        return "same", name, muts, None
    if pdiff and not sdiff and not (set(pe) - set(pr)) and all(
            sum(1 for r in pr if r[0] == x[0]) > 1 for x in set(pr) - set(pe)):
        # Same decisions, but crm_simulate's revised status keeps an instance on the node it left: its injected
        # stop gets a lower call-id than a (fuzzed) later failure, which then still wins. Not the engine's fault.
        if not keep:
            os.remove(out_xml)
        return "artefact", name, muts, None
    if pdiff and not sdiff and stop_artefact(pr, pe, sr):
        if not keep:
            os.remove(out_xml)
        return "artefact", name, muts, None
    lines = [f"variant {tag}: {tier}/{name} {extra}".rstrip(), "mutations: " + "; ".join(muts)]
    if pdiff:
        lines.append("placement:")
        lines += ["  - " + "\t".join(x) for x in sorted(set(pr) - set(pe))]
        lines += ["  + " + "\t".join(x) for x in sorted(set(pe) - set(pr))]
    if sdiff:
        lines.append("summary (- crm_simulate, + engine):")
        sref, seng = {nows(x) for x in sr}, {nows(x) for x in se}
        lines += ["  - " + " ".join(x.split()) for x in sr if nows(x) not in seng]
        lines += ["  + " + " ".join(x.split()) for x in se if nows(x) not in sref]
        if sref == seng:
            lines.append("  (same lines, different order)")
    with open(os.path.join(args.out, tag + ".ref.txt"), "w") as f:
        f.write(ref)
    with open(os.path.join(args.out, tag + ".eng.txt"), "w") as f:
        f.write(eng + ("\n--- stderr ---\n" + eerr if eerr.strip() else ""))
    with open(os.path.join(args.out, tag + ".diff"), "w") as f:
        f.write("\n".join(lines) + "\n")
    kind = ("placement+summary" if sdiff else "placement") if pdiff else "summary"
    return kind, name, muts, "\n".join(lines)


def differs(args, xml_text, extra, env, workdir):
    """The difference (diff_key) between crm_simulate and the engine on a CIB text; None if crm_simulate rejects it."""
    path = os.path.join(workdir, "candidate.xml")
    with open(path, "w") as f:
        f.write(xml_text)
    rc, ref, err = run(f"crm_simulate -x {path} -S {extra}", env)
    if rc != 0 or "Transition Summary:" not in ref or re.search(r"\berror\b|critical", err, re.I):
        return None
    _, eng, _ = run(args.engine.replace("{xml}", path).replace("{args}", extra), env)
    try:
        pe = placement(eng)
    except Exception:  # noqa: BLE001
        pe = [("ERROR", "", "")]
    return diff_key(placement(ref), pe, summary_lines(ref) or [], summary_lines(eng) or [])


def minimise(args, env):
    """Greedy: drop top-level resources (with their constraints and history), then constraints, then nodes'
    histories, while the engine still differs from crm_simulate in the same way (placement and/or summary)."""
    work = tempfile.mkdtemp(prefix="fuzz-min-")
    root = ET.parse(args.minimise).getroot()
    extra = args.args or ""
    base = differs(args, ET.tostring(root, encoding="unicode"), extra, env, work)
    if base is None or base == (frozenset(), frozenset()):
        sys.exit("minimise: the input does not differ (or crm_simulate rejects it)")
    shape = tuple(bool(x) for x in base)

    def still(r):
        d = differs(args, ET.tostring(r, encoding="unicode"), extra, env, work)
        return d is not None and tuple(bool(x) for x in d) == shape

    def refs(el, rid):
        return any(v == rid for k, v in el.attrib.items() if k in ("rsc", "with-rsc", "first", "then")) or \
            any(x.get("id") == rid for x in el.iter("resource_ref"))

    changed = True
    while changed:
        changed = False
        for rsc in list(cfg(root, "resources")):
            trial = ET.fromstring(ET.tostring(root))
            ids = {e.get("id") for e in rsc.iter() if e.tag in ("primitive", "group", "clone", "master")}
            res = cfg(trial, "resources")
            res.remove(next(e for e in res if e.get("id") == rsc.get("id")))
            cons = cfg(trial, "constraints")
            for c in list(cons):
                if any(refs(c, i) for i in ids):
                    cons.remove(c)
            for lrs in trial.iter("lrm_resources"):
                for lr in list(lrs):
                    if lr.get("id", "").split(":")[0] in ids:
                        lrs.remove(lr)
            if still(trial):
                root, changed = trial, True
                print("minimise: dropped", rsc.get("id"), file=sys.stderr, flush=True)
                break
        if changed:
            continue
        for i, c in enumerate(list(cfg(root, "constraints"))):
            trial = ET.fromstring(ET.tostring(root))
            cfg(trial, "constraints").remove(list(cfg(trial, "constraints"))[i])
            if still(trial):
                root, changed = trial, True
                print("minimise: dropped", c.tag, c.get("id"), file=sys.stderr, flush=True)
                break
    shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(ET.tostring(root, encoding="unicode") + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100, help="variants per tier")
    ap.add_argument("--tier", default="all", choices=["core", "tier2", "all"])
    ap.add_argument("--mutations", type=int, default=1, help="mutations per variant")
    ap.add_argument("--engine", default=f"dotnet {HACTL} simulate -x {{xml}} {{args}}")
    ap.add_argument("--out", default=None, help="where variants and differences go (default: a new temp dir)")
    ap.add_argument("--only", default=None, help="TIER:INDEX, one variant")
    ap.add_argument("--keep-all", action="store_true", help="keep variants that matched too")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each difference")
    ap.add_argument("--minimise", metavar="FILE", help="shrink a differing CIB (printed to stdout) and exit")
    ap.add_argument("--args", default="", help="with --minimise: crm_simulate extra arguments, e.g. '-t 2005-020'")
    args = ap.parse_args()
    if "{xml}" not in args.engine:
        ap.error("--engine needs {xml}")
    if args.engine.startswith("dotnet ") and HACTL in args.engine and not os.path.exists(HACTL):
        ap.error(f"{HACTL} missing: dotnet build -c Release src/ClusterManager.Cli")
    if args.minimise:
        shadow = tempfile.mkdtemp(prefix="fuzz-shadow-")
        try:
            minimise(args, dict(os.environ, CIB_shadow_dir=shadow))
        finally:
            shutil.rmtree(shadow, ignore_errors=True)
        return 0
    args.out = args.out or tempfile.mkdtemp(prefix="fuzz-")
    os.makedirs(args.out, exist_ok=True)
    shadow = tempfile.mkdtemp(prefix="fuzz-shadow-")
    if args.only:
        tier, idx = args.only.split(":")
        jobs = [(tier, [int(idx)])]
    else:
        tiers = ["core", "tier2"] if args.tier == "all" else [args.tier]
        jobs = [(t, range(args.count)) for t in tiers]
    any_diff = False
    try:
        for tier, indices in jobs:
            cases = load_cases(tier)
            counts = {}
            for i in indices:
                kind, name, muts, detail = one_variant(args, tier, i, cases, shadow, args.keep_all or args.only)
                counts[kind] = counts.get(kind, 0) + 1
                if kind not in ("same", "skip", "rejected", "inherited", "artefact"):
                    any_diff = True
                    print(f"DIFF {kind:17} {tier}:{i} {name}: {'; '.join(muts)}", flush=True)
                    if args.verbose or args.only:
                        print("   " + detail.replace("\n", "\n   "), flush=True)
                elif kind == "rejected" and (args.verbose or args.only):
                    print(f"rejected {tier}:{i} {name}: {'; '.join(muts)}: {detail}")
            ran = sum(v for k, v in counts.items() if k not in ("skip", "rejected"))
            inh = counts.get("inherited", 0)
            art = counts.get("artefact", 0)
            pl = sum(v for k, v in counts.items() if k.startswith("placement"))
            sm = sum(v for k, v in counts.items() if k.endswith("summary"))
            print(f"{tier}: {ran} variants compared ({counts.get('rejected', 0)} rejected by crm_simulate, "
                  f"{counts.get('skip', 0)} without applicable mutation): placement differs {pl}, "
                  f"summary differs {sm}, both {counts.get('placement+summary', 0)}; {inh} more differ only as "
                  f"the unmutated case does, {art} only by a crm_simulate artefact (not counted)", flush=True)
    finally:
        shutil.rmtree(shadow, ignore_errors=True)
    print(f"differences kept in {args.out}")
    return 1 if any_diff else 0


if __name__ == "__main__":
    sys.exit(main())
