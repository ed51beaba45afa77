using System.Text.RegularExpressions;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using ClusterManager.Policy.Rules;

namespace ClusterManager.Policy.Scheduling;

// Constraint unpacking and application: lib/pacemaker/pcmk_sched_location.c, pcmk_sched_colocation.c,
// pcmk_sched_ordering.c; stickiness and failure bans from pcmk_sched_allocate.c.
internal sealed partial class Scheduler
{
    private int _onePlusCounter;

    private void UnpackConstraints()
    {
        foreach (var c in _snapshot.Configuration.Constraints)
        {
            switch (c)
            {
                case OrderConstraint o:
                    UnpackOrder(o);
                    break;
                case ColocationConstraint col:
                    UnpackColocation(col);
                    break;
                case LocationConstraint loc:
                    UnpackLocation(loc);
                    break;
                case TicketConstraint t:
                    _warnings.Add($"rsc_ticket '{t.Id}': tickets are not supported; constraint ignored");
                    break;
            }
        }
    }

    private WResource? Resolve(string id, string constraintId)
    {
        var r = FindResource(id);
        if (r is null)
        {
            _warnings.Add($"constraint '{constraintId}': resource '{id}' does not exist; constraint ignored");
        }

        return r;
    }

    // ---- location -------------------------------------------------------------------------------------

    private void UnpackLocation(LocationConstraint loc)
    {
        var targets = new List<WResource>();
        if (loc.Resource is { } rid)
        {
            if (Resolve(rid.Value, loc.Id) is { } r)
            {
                targets.Add(r);
            }
        }
        else if (loc.ResourcePattern is { } pattern)
        {
            var invert = pattern.StartsWith('!');
            Regex re;
            try
            {
                re = new Regex(invert ? pattern[1..] : pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                // As Pacemaker: a pattern that is not a regular expression leaves the constraint out (a CIB read by
                // CibReader never gets here, it refuses the pattern).
                _warnings.Add($"constraint '{loc.Id}': rsc-pattern '{pattern}' is not a valid regular expression ({e.Message}); constraint ignored");
                return;
            }

            targets.AddRange(_resources.Where(r => !r.Orphan && re.IsMatch(r.Id) != invert).OrderBy(r => r.DocumentIndex));
        }

        foreach (var set in loc.Sets)
        {
            foreach (var id in set.Resources)
            {
                if (Resolve(id.Value, loc.Id) is { } r)
                {
                    targets.Add(r);
                }
            }
        }

        var roleFilter = loc.Role is ResourceRole.Started or ResourceRole.Unpromoted or null ? ResourceRole.Unknown : loc.Role.Value;
        foreach (var rsc in targets)
        {
            if (loc.Node is { } nodeName)
            {
                var node = FindNode(nodeName.Value);
                if (node is null)
                {
                    _warnings.Add($"rsc_location '{loc.Id}': node '{nodeName}' is not in the configuration; constraint ignored");
                    continue;
                }

                AddLocation(new Location(loc.Id, rsc, roleFilter, loc.Discovery, [(node, loc.Score ?? Score.Zero)]));
                continue;
            }

            foreach (var rule in loc.Rules)
            {
                var nodes = new List<(WNode, Score)>();
                foreach (var node in _nodes)
                {
                    var context = new RuleContext(node.Attributes, _snapshot.Now,
                        ResourceParameters: rsc.Parameters, ResourceMeta: rsc.Meta);
                    if (!RuleEvaluator.Evaluate(rule, context))
                    {
                        continue;
                    }

                    Score score;
                    if (rule.Score is { } s)
                    {
                        score = s;
                    }
                    else if (rule.ScoreAttribute is { } attr)
                    {
                        if (node.Attribute(attr) is not { } value)
                        {
                            continue;
                        }

                        score = new Score(ParseScore(value, 0));
                    }
                    else
                    {
                        score = Score.Zero;
                    }

                    nodes.Add((node, score));
                }

                var ruleRole = rule.Role is { } rr && rr is not (ResourceRole.Started or ResourceRole.Unpromoted) ? rr : roleFilter;
                AddLocation(new Location(rule.Id, rsc, ruleRole, loc.Discovery, nodes));
            }
        }
    }

    private void AddLocation(Location location)
    {
        _locations.Add(location);
        location.Resource.Locations.Add(location);
    }

    private void ApplyLocations()
    {
        // Pacemaker prepends each constraint to its list: they apply in reverse document order.
        for (var i = _locations.Count - 1; i >= 0; i--)
        {
            ApplyLocationTo(_locations[i].Resource, _locations[i]);
        }
    }

    private void ApplyLocationTo(WResource rsc, Location loc)
    {
        switch (rsc.Variant)
        {
            case Variant.Group:
            {
                ApplyLocation(loc, rsc, loc.Nodes);
                var zero = loc.Nodes.Select(n => (n.Node, Score.Zero)).ToList();
                var first = true;
                foreach (var child in rsc.Children)
                {
                    ApplyLocationTo(child, first || !rsc.GroupColocated ? loc : new Location(loc.Id, child, loc.RoleFilter, loc.Discovery, zero));
                    first = false;
                }

                break;
            }

            case Variant.Clone:
                ApplyLocation(loc, rsc, loc.Nodes);
                foreach (var child in rsc.Children)
                {
                    ApplyLocationTo(child, loc);
                }

                break;
            default:
                ApplyLocation(loc, rsc, loc.Nodes);
                break;
        }
    }

    /// <summary>pcmk__apply_location: adds the score where the node is known, else inserts it with the score alone.</summary>
    private static void ApplyLocation(Location loc, WResource rsc, List<(WNode Node, Score Score)> nodes)
    {
        if (loc.RoleFilter > ResourceRole.Unknown && loc.RoleFilter != rsc.NextRole)
        {
            return;
        }

        foreach (var (node, score) in nodes)
        {
            var current = rsc.Allowed[node.Index];
            rsc.Allowed[node.Index] = current is { } c ? c + score : score;
            var mode = loc.Discovery switch
            {
                ResourceDiscovery.Never => 1,
                ResourceDiscovery.Exclusive => 2,
                _ => 0,
            };
            if (rsc.DiscoverModeOn(node.Index) < mode)
            {
                if (mode == 2)
                {
                    rsc.ExclusiveDiscover = true;
                }

                rsc.DiscoverMode ??= new int[rsc.Allowed.Length];
                rsc.DiscoverMode[node.Index] = mode;
            }
        }
    }

    private void ApplyStickinessAndFailures()
    {
        // Without fail-count attributes on the node no resource has a fail count there (GetFailcount is 0).
        var hasFailures = new bool[_nodes.Count];
        foreach (var node in _nodes)
        {
            hasFailures[node.Index] = FailAttributes(node) is not null;
        }

        // Resource by resource, each over every node: a score cell (resource, node) only changes while its node is
        // visited, and on each node the resources are visited in the same order as node by node, so the sums are
        // the same; a resource's fields stay in the cache for all its nodes.
        foreach (var rsc in _resources)
        {
            foreach (var node in _nodes)
            {
                ApplyStickiness(rsc, node, hasFailures[node.Index]);
            }
        }
    }

    private void ApplyStickiness(WResource rsc, WNode node, bool hasFailures)
    {
        if (rsc.Children.Count > 0)
        {
            for (var i = 0; i < rsc.Children.Count; i++)
            {
                ApplyStickiness(rsc.Children[i], node, hasFailures);
            }

            return;
        }

        if (rsc.Managed && rsc.Stickiness > 0 && rsc.RunningOn.Count == 1 && rsc.RunningOn[0] == node)
        {
            if (rsc.Allowed[node.Index] is not null || Symmetric)
            {
                ResourceLocation(rsc, node, new Score(rsc.Stickiness));
            }
        }

        if (hasFailures && !FailcountClearScheduled(node, rsc) && ThresholdReached(rsc, node) is { } failed)
        {
            ResourceLocation(failed, node, Score.MinusInfinity);
        }
    }

    private static bool FailcountClearScheduled(WNode node, WResource rsc)
    {
        foreach (var a in rsc.ActionsOf("clear_failcount"))
        {
            if (a.Node == node && !a.Optional)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>pcmk__threshold_reached: the resource to ban when the fail count reached migration-threshold.</summary>
    private WResource? ThresholdReached(WResource rsc, WNode node)
    {
        if (rsc.MigrationThreshold == 0 || rsc.FailureIgnored)
        {
            return null;
        }

        var failcount = GetFailcount(node, rsc, effective: true, out _);
        if (failcount <= 0)
        {
            return null;
        }

        var ban = rsc.Unique ? rsc : rsc.Top;
        return rsc.MigrationThreshold - failcount <= 0 ? ban : null;
    }

    // ---- colocation -----------------------------------------------------------------------------------

    private void UnpackColocation(ColocationConstraint c)
    {
        if (c.Sets.IsDefaultOrEmpty)
        {
            if (c.Dependent is not { } d || c.Primary is not { } p)
            {
                return;
            }

            var dep = Resolve(d.Value, c.Id);
            var prim = Resolve(p.Value, c.Id);
            if (dep is null || prim is null)
            {
                return;
            }

            NewColocation(c.Id, c.NodeAttribute, c.Score.Value, dep, prim, c.DependentRole, c.PrimaryRole, InfluenceOf(c.Influence, dep));
            return;
        }

        var sets = c.Sets.Select(s => (Set: s, Members: s.Resources.Select(r => Resolve(r.Value, c.Id)).OfType<WResource>().ToList())).ToList();
        foreach (var (set, members) in sets)
        {
            var score = (set.Score ?? c.Score).Value;
            var sequential = set.Sequential ?? true;
            if (!sequential || score == 0)
            {
                continue;
            }

            if (score > 0)
            {
                WResource? previous = null;
                foreach (var r in members)
                {
                    if (previous is not null)
                    {
                        NewColocation(set.Id, c.NodeAttribute, score, r, previous, set.Role, set.Role, InfluenceOf(c.Influence, r));
                    }

                    previous = r;
                }
            }
            else
            {
                // unpack_colocation_set: each member is anti-colocated with every member before it.
                for (var i = 0; i < members.Count; i++)
                {
                    for (var j = 0; j < i; j++)
                    {
                        NewColocation(set.Id, c.NodeAttribute, score, members[i], members[j], set.Role, set.Role, InfluenceOf(c.Influence, members[i]));
                    }
                }
            }
        }

        for (var k = 0; k + 1 < sets.Count; k++)
        {
            var (s1, m1) = sets[k];
            var (s2, m2) = sets[k + 1];
            if (c.Score.Value == 0)
            {
                continue;
            }

            var seq1 = s1.Sequential ?? true;
            var seq2 = s2.Sequential ?? true;
            var deps = seq1 ? m1.Take(1).ToList() : m1;
            var prims = seq2 ? m2.TakeLast(1).ToList() : m2;
            foreach (var dep in deps)
            {
                foreach (var prim in prims)
                {
                    NewColocation(c.Id, c.NodeAttribute, c.Score.Value, dep, prim, s1.Role, s2.Role, InfluenceOf(c.Influence, dep));
                }
            }
        }
    }

    private static bool InfluenceOf(bool? influence, WResource dependent) => influence ?? dependent.Critical;

    private void NewColocation(string id, string? nodeAttribute, int score, WResource dependent, WResource primary, ResourceRole? dependentRole, ResourceRole? primaryRole, bool influence)
    {
        if (score == 0)
        {
            return;
        }

        static ResourceRole Normalize(ResourceRole? r) => r is null or ResourceRole.Started ? ResourceRole.Unknown : r.Value;
        var coloc = new Coloc(id, dependent, primary, score, Normalize(dependentRole), Normalize(primaryRole), nodeAttribute, influence);
        InsertSorted(dependent.ThisWith, coloc, byPrimary: true);
        InsertSorted(primary.WithThis, coloc, byPrimary: false);
        _colocations.Add(coloc);
        if (score <= -Score.InfinityValue)
        {
            AntiColocationOrder(dependent, coloc.DependentRole, primary, coloc.PrimaryRole);
            AntiColocationOrder(primary, coloc.PrimaryRole, dependent, coloc.DependentRole);
        }
    }

    /// <summary>sort_cons_priority_lh/rh: priority desc, clones before groups before primitives, promotable first, id.</summary>
    private static int CompareColocTarget(WResource a, WResource b)
    {
        if (a.Priority != b.Priority)
        {
            return a.Priority > b.Priority ? -1 : 1;
        }

        if (a.Variant != b.Variant)
        {
            return a.Variant > b.Variant ? -1 : 1;
        }

        if (a.Variant == Variant.Clone && a.Promotable != b.Promotable)
        {
            return a.Promotable ? -1 : 1;
        }

        return string.CompareOrdinal(a.Id, b.Id);
    }

    private static void InsertSorted(List<Coloc> list, Coloc coloc, bool byPrimary)
    {
        var target = byPrimary ? coloc.Primary : coloc.Dependent;
        var index = list.Count;
        for (var i = 0; i < list.Count; i++)
        {
            var other = byPrimary ? list[i].Primary : list[i].Dependent;
            if (CompareColocTarget(target, other) < 0)
            {
                index = i;
                break;
            }
        }

        list.Insert(index, coloc);
    }

    private void AntiColocationOrder(WResource first, ResourceRole firstRole, WResource then, ResourceRole thenRole)
    {
        string[] firstTasks = firstRole switch
        {
            ResourceRole.Promoted => ["demote"],
            ResourceRole.Unpromoted => ["stop", "promote"],
            _ => ["stop"],
        };
        string[] thenTasks = thenRole switch
        {
            ResourceRole.Promoted => ["promote"],
            ResourceRole.Unpromoted => ["start", "demote"],
            _ => ["start"],
        };
        foreach (var ft in firstTasks)
        {
            foreach (var tt in thenTasks)
            {
                _orderings.Add(new Ordering(first, ft, null, then, tt, null, OrderFlags.AntiColocation));
            }
        }
    }

    private static IEnumerable<WResource> InstancesOrSelf(WResource r) => r.IsClone ? r.Children : [r];

    // ---- ordering -------------------------------------------------------------------------------------

    private static string ActionText(ResourceAction? a, string fallback) => a is { } x ? x.ToText() : fallback;

    private static string? InvertAction(string action) => action switch
    {
        "start" => "stop",
        "stop" => "start",
        "promote" => "demote",
        "demote" => "promote",
        "promoted" => "demoted",
        "demoted" => "promoted",
        "running" => "stopped",
        "stopped" => "running",
        _ => null,
    };

    private static OrderFlags FlagsForKind(OrderKind kind, string firstAction, int symmetry)
    {
        var flags = OrderFlags.Optional;
        switch (kind)
        {
            case OrderKind.Serialize:
                flags |= OrderFlags.Serialize;
                break;
            case OrderKind.Mandatory:
                flags |= symmetry switch
                {
                    0 => OrderFlags.Asymmetrical,
                    1 => OrderFlags.ImpliesThen | (firstAction is "start" or "promote" ? OrderFlags.RunnableLeft : OrderFlags.None),
                    _ => OrderFlags.ImpliesFirst,
                };
                break;
        }

        return flags;
    }

    private void UnpackOrder(OrderConstraint o)
    {
        if (!o.Sets.IsDefaultOrEmpty)
        {
            UnpackOrderSets(o);
            return;
        }

        if (o.First is not { } f || o.Then is not { } t)
        {
            return;
        }

        var first = Resolve(f.Value, o.Id);
        var then = Resolve(t.Value, o.Id);
        if (first is null || then is null)
        {
            return;
        }

        var firstAction = ActionText(o.FirstAction, "start");
        var thenAction = ActionText(o.ThenAction, firstAction);
        var symmetrical = o.Kind != OrderKind.Serialize && (o.Symmetrical ?? true);
        var minRunnable = 0;
        if (first.IsClone)
        {
            if (o.RequireAll == false)
            {
                minRunnable = 1;
            }
            else if (first.Meta.TryGetValue("clone-min", out var cm) && ParseInt(cm, 0) > 0)
            {
                minRunnable = ParseInt(cm, 0);
            }
        }

        var flags = FlagsForKind(o.Kind, firstAction, symmetrical ? 1 : 0);

        // Deprecated restart-type=restart upgrades an optional ordering: a restart of "first" restarts "then".
        if (o.Kind == OrderKind.Optional && RestartTypeRestart(then))
        {
            flags |= OrderFlags.ImpliesThen;
        }

        if (minRunnable > 0)
        {
            AddOnePlusOrdering(o.Id, first, firstAction, then, thenAction, flags, minRunnable);
        }
        else
        {
            _orderings.Add(new Ordering(first, firstAction, null, then, thenAction, null, flags));
        }

        if (symmetrical && InvertAction(thenAction) is { } ti && InvertAction(firstAction) is { } fi)
        {
            var inverse = FlagsForKind(o.Kind, firstAction, 2);
            if (o.Kind == OrderKind.Optional && RestartTypeRestart(first))
            {
                inverse |= OrderFlags.ImpliesFirst;
            }

            _orderings.Add(new Ordering(then, ti, null, first, fi, null, inverse));
        }
    }

    private static bool RestartTypeRestart(WResource rsc) =>
        string.Equals(rsc.Meta.GetValueOrDefault("restart-type"), "restart", StringComparison.OrdinalIgnoreCase);

    /// <summary>clone-min / require-all=false: "then" needs only some instances of "first".</summary>
    private void AddOnePlusOrdering(string id, WResource first, string firstAction, WResource then, string thenAction, OrderFlags flags, int min)
    {
        var pseudo = NewAction(null, $"clone-one-or-more:{id}", null, 0, optional: true);
        pseudo.Pseudo = true;
        pseudo.RequiresAny = true;
        pseudo.RequiredRunnableBefore = min;
        _onePlusCounter++;
        foreach (var child in first.Children)
        {
            _orderings.Add(new Ordering(child, firstAction, null, null, pseudo.Task, pseudo, OrderFlags.OneOrMore | OrderFlags.ImpliesThenPrinted | OrderFlags.Optional));
        }

        _orderings.Add(new Ordering(null, pseudo.Task, pseudo, then, thenAction, null, flags | OrderFlags.RunnableLeft));
    }

    private void UnpackOrderSets(OrderConstraint o)
    {
        var sets = o.Sets.Select(s => (Set: s, Members: s.Resources.Select(r => Resolve(r.Value, o.Id)).OfType<WResource>().ToList())).ToList();
        var symmetrical = o.Kind != OrderKind.Serialize && (o.Symmetrical ?? true);
        foreach (var (set, members) in sets)
        {
            var kind = set.Kind ?? o.Kind;
            var action = ActionText(set.Action, "start");
            if (!(set.Sequential ?? true))
            {
                continue;
            }

            for (var i = 0; i + 1 < members.Count; i++)
            {
                _orderings.Add(new Ordering(members[i], action, null, members[i + 1], action, null, FlagsForKind(kind, action, symmetrical ? 1 : 0)));
                if (symmetrical && InvertAction(action) is { } inv)
                {
                    _orderings.Add(new Ordering(members[i + 1], inv, null, members[i], inv, null, FlagsForKind(kind, action, 2)));
                }
            }
        }

        for (var k = 0; k + 1 < sets.Count; k++)
        {
            var (s1, m1) = sets[k];
            var (s2, m2) = sets[k + 1];
            var a1 = ActionText(s1.Action, "start");
            var a2 = ActionText(s2.Action, "start");
            var firsts = (s1.Sequential ?? true) ? m1.TakeLast(1).ToList() : m1;
            var thens = (s2.Sequential ?? true) ? m2.Take(1).ToList() : m2;
            // order_rsc_sets: the one-or-more logic applies to starts and promotes only.
            var requireAll = (s1.RequireAll ?? true) || a1 is "stop" or "demote";
            var flags = FlagsForKind(o.Kind, a1, symmetrical ? 1 : 0);
            if (!requireAll && m1.Count > 0)
            {
                var pseudo = NewAction(null, $"one-or-more:{s1.Id}", null, 0, optional: true);
                pseudo.Pseudo = true;
                pseudo.RequiresAny = true;
                pseudo.RequiredRunnableBefore = 1;
                foreach (var f in m1)
                {
                    _orderings.Add(new Ordering(f, a1, null, null, pseudo.Task, pseudo, OrderFlags.OneOrMore | OrderFlags.ImpliesThenPrinted | OrderFlags.Optional));
                }

                // Every member of the second set, sequential or not, and only while the pseudo action is runnable.
                foreach (var t in m2)
                {
                    _orderings.Add(new Ordering(null, pseudo.Task, pseudo, t, a2, null, flags | OrderFlags.RunnableLeft));
                }
            }
            else
            {
                foreach (var f in firsts)
                {
                    foreach (var t in thens)
                    {
                        _orderings.Add(new Ordering(f, a1, null, t, a2, null, flags));
                    }
                }
            }

            if (symmetrical && InvertAction(a1) is { } i1 && InvertAction(a2) is { } i2)
            {
                var lastOf2 = (s2.Sequential ?? true) ? m2.TakeLast(1).ToList() : m2;
                var firstOf1 = (s1.Sequential ?? true) ? m1.Take(1).ToList() : m1;
                foreach (var t in lastOf2)
                {
                    foreach (var f in firstOf1)
                    {
                        _orderings.Add(new Ordering(t, i2, null, f, i1, null, FlagsForKind(o.Kind, a1, 2)));
                    }
                }
            }
        }
    }
}
