using ClusterManager.Model;

namespace ClusterManager.Policy.Scheduling;

// Placement: pcmk__native_allocate, pcmk__group_allocate, pcmk__clone_allocate (2.1.5) and their helpers.
internal sealed partial class Scheduler
{
    private const int InfinityHack = -100_000_000;

    private void AssignAll()
    {
        foreach (var rsc in _resources)
        {
            Assign(rsc, null);
        }
    }

    private WNode? Assign(WResource rsc, WNode? prefer) => rsc.Variant switch
    {
        Variant.Primitive => AssignPrimitive(rsc, prefer),
        Variant.Group => AssignGroup(rsc, prefer),
        _ => AssignClone(rsc, prefer),
    };

    private void ShowScores(string function, WResource rsc)
    {
        if (!_outputOptions.IncludeScores)
        {
            return;
        }

        foreach (var node in _nodes)
        {
            if (rsc.Allowed[node.Index] is { } s)
            {
                _scores.Add(new ScoreEntry(function, new ResourceId(rsc.Id), node.Name, s.Value <= InfinityHack ? Score.MinusInfinity : s, false));
            }
        }
    }

    private bool NodeAvailable(WNode node) => node.CanRunResources;

    private bool AnyNodeAvailable(Score?[] table)
    {
        foreach (var node in _nodes)
        {
            if (table[node.Index] is { } s && s.Value >= 0 && NodeAvailable(node))
            {
                return true;
            }
        }

        return false;
    }

    private WNode? AssignPrimitive(WResource rsc, WNode? prefer)
    {
        if (rsc.Parent is { Allocating: false } parent)
        {
            Assign(parent, prefer);
        }

        if (!rsc.Provisional)
        {
            return rsc.AllocatedTo;
        }

        if (rsc.Allocating)
        {
            return null;
        }

        rsc.Allocating = true;
        foreach (var coloc in rsc.ThisWith.ToList())
        {
            Score?[]? archive = null;
            if (coloc.DependentRole >= ResourceRole.Promoted || (coloc.Score < 0 && coloc.Score > -Score.InfinityValue))
            {
                archive = (Score?[])rsc.Allowed.Clone();
            }

            Assign(coloc.Primary, null);
            ColocateDependent(rsc, coloc.Primary, coloc);
            if (archive is not null && !AnyNodeAvailable(rsc.Allowed))
            {
                rsc.Allowed = archive;
            }
        }

        foreach (var coloc in rsc.WithThis.ToList())
        {
            if (!HasInfluence(coloc, null))
            {
                continue;
            }

            rsc.Allowed = NativeMergeWeights(coloc.Dependent, rsc.Id, rsc.Allowed, coloc.NodeAttribute,
                coloc.Score / (float)Score.InfinityValue, MergeFlags.Rollback);
        }

        if (rsc.NextRole == ResourceRole.Stopped)
        {
            ResourceLocation(rsc, null, Score.MinusInfinity);
        }
        else if (rsc.NextRole > rsc.Role && !HaveQuorum && NoQuorum == NoQuorumPolicy.Freeze)
        {
            rsc.NextRole = rsc.Role;
        }

        ShowScores("pcmk__primitive_assign", rsc);
        if (StonithEnabled && !HaveStonithResource)
        {
            rsc.Managed = false;
        }

        if (!rsc.Managed)
        {
            rsc.NextRole = rsc.Role;
            AssignNode(rsc, rsc.CurrentNode, force: true);
        }
        else if (StopEverything)
        {
            AssignNode(rsc, null, force: true);
        }
        else if (rsc.Provisional)
        {
            ChooseNode(rsc, prefer);
        }

        rsc.Allocating = false;
        return rsc.AllocatedTo;
    }

    private static bool HasInfluence(Coloc coloc, WResource? rsc) =>
        coloc.Influence || (rsc ?? coloc.Primary).RunningOn.Count == 0;

    /// <summary>native_choose_node.</summary>
    private bool ChooseNode(WResource rsc, WNode? prefer)
    {
        if (!rsc.Provisional)
        {
            return rsc.AllocatedTo is not null;
        }

        var current = rsc.CurrentNode;
        // Only the head of sort_node_weight's order matters here: the best node, and whether the current node ties
        // with it. The order is total (names break ties), so its first node is the least under it, found in one
        // pass; the nodes tying with an available best node on score come right after it, and those are exactly
        // the available nodes with its score (unavailable ones sort last), so "current is among them" is a test.
        var best = BestNode(rsc.Allowed, current);
        WNode? chosen = null;
        if (prefer is not null && best is not null)
        {
            if (rsc.Allowed[prefer.Index] is { } ps && ps.Value >= 0 && ps >= rsc.Allowed[best.Index]!.Value && NodeAvailable(prefer))
            {
                chosen = prefer;
            }
        }

        if (chosen is null && best is not null)
        {
            chosen = best;
            var chosenScore = rsc.Allowed[chosen.Index]!.Value;
            var uniqueInstance = rsc.Parent is { IsClone: true, Unique: true };
            if (!uniqueInstance && chosenScore.Value > 0 && NodeAvailable(chosen) && current is not null && NodeAvailable(current)
                && rsc.Allowed[current.Index] is { } currentScore && currentScore == chosenScore)
            {
                chosen = current;
            }
        }

        return AssignNode(rsc, chosen, force: false);
    }

    /// <summary>The allowed nodes sorted as sort_node_weight does (score with unavailable nodes at -INF, load, current, name).</summary>
    private List<WNode> SortedNodes(Score?[] table, WNode? current)
    {
        var list = new List<WNode>(_nodes.Count);
        foreach (var node in _nodes)
        {
            if (table[node.Index] is not null)
            {
                list.Add(node);
            }
        }

        if (list.Count > 1)
        {
            list.Sort(new NodeOrder(table, current, PlacementStrategy == "minimal"));
        }

        return list;
    }

    /// <summary>The first node of <see cref="SortedNodes"/>, without sorting (null when no node is allowed).</summary>
    private WNode? BestNode(Score?[] table, WNode? current)
    {
        var order = new NodeOrder(table, current, PlacementStrategy == "minimal");
        WNode? best = null;
        foreach (var node in _nodes)
        {
            if (table[node.Index] is not null && (best is null || order.Compare(node, best) < 0))
            {
                best = node;
            }
        }

        return best;
    }

    private readonly struct NodeOrder(Score?[] table, WNode? current, bool minimal) : IComparer<WNode>
    {
        private int Weight(WNode n) => n.CanRunResources ? table[n.Index]!.Value.Value : -Score.InfinityValue;

        public int Compare(WNode? a, WNode? b)
        {
            var wa = Weight(a!);
            var wb = Weight(b!);
            if (wa != wb)
            {
                return wa > wb ? -1 : 1;
            }

            if (!minimal)
            {
                if (a!.AssignedCount != b!.AssignedCount)
                {
                    return a.AssignedCount < b.AssignedCount ? -1 : 1;
                }

                if (current is not null && (a == current) != (b == current))
                {
                    return a == current ? -1 : 1;
                }
            }

            return string.CompareOrdinal(a!.Name.Value, b!.Name.Value);
        }
    }

    /// <summary>native_assign_node.</summary>
    private bool AssignNode(WResource rsc, WNode? chosen, bool force)
    {
        rsc.Provisional = false;
        if (chosen is not null && !force && (!chosen.CanRunResources || rsc.Allowed[chosen.Index] is not { } s || s.Value < 0))
        {
            chosen = null;
        }

        if (chosen is null)
        {
            rsc.AllocatedTo = null;
            rsc.NextRole = ResourceRole.Stopped;
            foreach (var action in rsc.Actions)
            {
                if (action.Task == "stop")
                {
                    action.Optional = false;
                }
                else if (action.Task == "start")
                {
                    action.Runnable = false;
                }
            }

            return false;
        }

        rsc.AllocatedTo = chosen;
        chosen.AssignedCount++;
        return true;
    }

    private void DeallocateNative(WResource rsc)
    {
        if (rsc.AllocatedTo is { } n)
        {
            n.AssignedCount--;
        }

        rsc.AllocatedTo = null;
        rsc.Provisional = true;
    }

    // ---- colocation applied to a dependent ----------------------------------------------------------

    private enum Affects
    {
        Nothing,
        Location,
        Role,
    }

    private static Affects ColocationAffects(WResource dependent, WResource primary, Coloc coloc, bool preview)
    {
        if (!preview && primary.Provisional)
        {
            return Affects.Nothing;
        }

        if (coloc.DependentRole >= ResourceRole.Unpromoted && dependent.Parent is { Promotable: true } && !dependent.Provisional)
        {
            return Affects.Role;
        }

        if (!preview && !dependent.Provisional)
        {
            return Affects.Nothing;
        }

        if (coloc.DependentRole != ResourceRole.Unknown && coloc.DependentRole != dependent.NextRole)
        {
            return Affects.Nothing;
        }

        if (coloc.PrimaryRole != ResourceRole.Unknown && coloc.PrimaryRole != primary.NextRole)
        {
            return Affects.Nothing;
        }

        return Affects.Location;
    }

    /// <summary>rsc_colocation_lh: the dependent side, dispatched on the dependent's and primary's kinds.</summary>
    private void ColocateDependent(WResource dependent, WResource primary, Coloc coloc)
    {
        if (dependent.Variant == Variant.Group)
        {
            if (dependent.GroupColocated && dependent.Children.Count > 0)
            {
                ColocateDependent(dependent.Children[0], primary, coloc);
                return;
            }

            if (coloc.Score >= Score.InfinityValue)
            {
                return;
            }

            foreach (var child in dependent.Children)
            {
                ColocateDependent(child, primary, coloc);
            }

            return;
        }

        ColocatePrimarySide(dependent, primary, coloc);
    }

    /// <summary>rsc_colocation_rh: dispatched on the primary's kind.</summary>
    private void ColocatePrimarySide(WResource dependent, WResource primary, Coloc coloc)
    {
        switch (primary.Variant)
        {
            case Variant.Group:
                if (primary.Provisional || primary.Children.Count == 0)
                {
                    return;
                }

                if (primary.GroupColocated)
                {
                    var member = coloc.Score >= Score.InfinityValue ? primary.Children[^1] : primary.Children[0];
                    ColocatePrimarySide(dependent, member, coloc);
                    return;
                }

                if (coloc.Score >= Score.InfinityValue)
                {
                    return;
                }

                foreach (var child in primary.Children)
                {
                    ColocatePrimarySide(dependent, child, coloc);
                }

                return;
            case Variant.Clone:
                ColocateWithClone(dependent, primary, coloc);
                return;
        }

        switch (ColocationAffects(dependent, primary, coloc, preview: false))
        {
            case Affects.Role:
                ApplyColocationToPriority(dependent, primary, coloc);
                break;
            case Affects.Location:
                ApplyColocationToWeights(dependent, primary, coloc);
                break;
        }
    }

    private void ColocateWithClone(WResource dependent, WResource primary, Coloc coloc)
    {
        if (primary.Promotable)
        {
            if (primary.Provisional)
            {
                return;
            }

            if (coloc.PrimaryRole != ResourceRole.Unknown)
            {
                if (dependent.Provisional)
                {
                    UpdateDependentWithPromotable(primary, dependent, coloc);
                    return;
                }

                if (coloc.DependentRole == ResourceRole.Promoted)
                {
                    UpdatePromotableDependentPriority(primary, dependent, coloc);
                    return;
                }
            }
        }

        var dependentTop = coloc.Dependent;
        var interleave = dependentTop.IsClone && dependentTop.Interleave
            && CopiesPerNode(dependentTop) == CopiesPerNode(primary);
        if (primary.Provisional)
        {
            return;
        }

        if (interleave)
        {
            var instance = FindCompatibleChild(dependent, primary, ResourceRole.Unknown, current: false);
            if (instance is not null)
            {
                ColocateDependent(dependent, instance, coloc);
            }
            else if (coloc.Score >= Score.InfinityValue)
            {
                AssignNode(dependent, null, force: true);
            }

            return;
        }

        if (coloc.Score >= Score.InfinityValue)
        {
            var affected = new HashSet<int>();
            foreach (var child in primary.Children)
            {
                var chosen = child.AllocatedTo;
                if (chosen is not null && !child.Primitives().Append(child).Any(p => p.Blocked))
                {
                    affected.Add(chosen.Index);
                }
            }

            foreach (var node in _nodes)
            {
                if (!affected.Contains(node.Index))
                {
                    dependent.Allowed[node.Index] = Score.MinusInfinity;
                }
            }

            return;
        }

        foreach (var child in primary.Children)
        {
            ColocatePrimarySide(dependent, child, coloc);
        }
    }

    private static int CopiesPerNode(WResource r) => r.IsClone ? r.CloneNodeMax : 1;

    /// <summary>
    /// find_compatible_child: an instance of <paramref name="clone"/> on the node where <paramref name="local"/> is
    /// (or, if it is not placed yet, on the best of its allowed nodes that has one).
    /// </summary>
    private WResource? FindCompatibleChild(WResource local, WResource clone, ResourceRole filter, bool current)
    {
        var node = current ? ActiveLocations(local).FirstOrDefault() : LocationOf(local);
        if (node is not null)
        {
            return CompatibleChildOn(node, clone, filter, current);
        }

        foreach (var candidate in SortedNodes(local.Variant == Variant.Primitive ? local.Allowed : (local.Children.FirstOrDefault()?.Allowed ?? local.Allowed), null))
        {
            if (CompatibleChildOn(candidate, clone, filter, current) is { } pair)
            {
                return pair;
            }
        }

        return null;
    }

    private static WResource? CompatibleChildOn(WNode node, WResource clone, ResourceRole filter, bool current)
    {
        foreach (var child in clone.Children)
        {
            if (filter != ResourceRole.Unknown && StateOf(child, current) != filter)
            {
                continue;
            }

            if (child.Primitives().Append(child).Any(p => p.Blocked))
            {
                continue;
            }

            var childNode = current ? ActiveLocations(child).FirstOrDefault() : LocationOf(child);
            if (childNode == node)
            {
                return child;
            }
        }

        return null;
    }

    private static WNode? LocationOf(WResource r) => r.Variant switch
    {
        Variant.Primitive => r.AllocatedTo,
        Variant.Group => r.Children.Count > 0 ? r.Children[0].AllocatedTo : null,
        _ => null,
    };

    private static string AttributeOf(WNode node, string? attribute) =>
        node.Attribute(attribute ?? "#id") ?? string.Empty;

    /// <summary>pcmk__apply_coloc_to_weights.</summary>
    private void ApplyColocationToWeights(WResource dependent, WResource primary, Coloc coloc)
    {
        var attribute = coloc.NodeAttribute ?? "#id";
        string? value = null;
        if (primary.AllocatedTo is { } pn)
        {
            value = pn.Attribute(attribute);
        }
        else if (coloc.Score < 0)
        {
            return;
        }

        var work = (Score?[])dependent.Allowed.Clone();
        foreach (var node in _nodes)
        {
            if (work[node.Index] is not { } w)
            {
                continue;
            }

            if (primary.AllocatedTo is null)
            {
                work[node.Index] = new Score(-coloc.Score) + w;
            }
            else if (string.Equals(node.Attribute(attribute), value, StringComparison.OrdinalIgnoreCase))
            {
                if (coloc.Score < Score.InfinityValue)
                {
                    work[node.Index] = new Score(coloc.Score) + w;
                }
            }
            else if (coloc.Score >= Score.InfinityValue)
            {
                work[node.Index] = Score.MinusInfinity;
            }
        }

        if (coloc.Score <= -Score.InfinityValue || coloc.Score >= Score.InfinityValue || AnyNodeAvailable(work))
        {
            dependent.Allowed = work;
        }
    }

    // ---- dependents pulling primaries: merge_weights --------------------------------------------------

    [Flags]
    private enum MergeFlags
    {
        None = 0,
        Init = 1,
        Forward = 2,
        Rollback = 4,
        Positive = 8,
    }

    private static bool IsNonEmptyGroup(WResource r) => r.Variant == Variant.Group && r.Children.Count > 0;

    /// <summary>
    /// pcmk__native_merge_weights (2.1.5), which is also a group's merge_weights there: a group merges through its
    /// first member and follows its last member's "with this" colocations, not the group's own
    /// (fuzz/group-dependent-colocation-chain).
    /// </summary>
    private Score?[] NativeMergeWeights(WResource rsc, string primaryId, Score?[]? nodes, string? attr, float factor, MergeFlags flags)
    {
        if (rsc.Merging)
        {
            return nodes!;
        }

        rsc.Merging = true;
        Score?[] work;
        if ((flags & MergeFlags.Init) == MergeFlags.Init)
        {
            work = IsNonEmptyGroup(rsc)
                ? NativeMergeWeights(rsc.Children[^1], primaryId, null, attr, factor, flags)
                : (Score?[])rsc.Allowed.Clone();
            flags &= ~MergeFlags.Init;
        }
        else if (IsNonEmptyGroup(rsc))
        {
            // "The first member of the group will recursively incorporate any constraints involving other members."
            work = NativeMergeWeights(rsc.Children[0], primaryId, nodes, attr, factor, flags);
        }
        else
        {
            work = (Score?[])nodes!.Clone();
            AddNodeScoresMatchingAttr(work, rsc, attr, factor, (flags & MergeFlags.Positive) == MergeFlags.Positive);
        }

        if (CanRunAny(work))
        {
            var multiplier = factor < 0 ? -1 : 1;
            List<Coloc> list = (flags & MergeFlags.Forward) == MergeFlags.Forward ? rsc.ThisWith
                : IsNonEmptyGroup(rsc) ? rsc.Children[^1].WithThis
                : rsc.WithThis;
            foreach (var coloc in list.ToList())
            {
                WResource other;
                if ((flags & MergeFlags.Forward) == MergeFlags.Forward)
                {
                    other = coloc.Primary;
                }
                else if (!HasInfluence(coloc, null))
                {
                    continue;
                }
                else
                {
                    other = coloc.Dependent;
                }

                work = NativeMergeWeights(other, primaryId, work, coloc.NodeAttribute,
                    multiplier * coloc.Score / (float)Score.InfinityValue, flags | MergeFlags.Rollback);
            }
        }
        else if ((flags & MergeFlags.Rollback) == MergeFlags.Rollback)
        {
            rsc.Merging = false;
            return nodes!;
        }

        if ((flags & MergeFlags.Positive) == MergeFlags.Positive)
        {
            for (var i = 0; i < work.Length; i++)
            {
                if (work[i] is { Value: InfinityHack })
                {
                    work[i] = new Score(1);
                }
            }
        }

        rsc.Merging = false;
        return work;
    }

    private bool CanRunAny(Score?[] table)
    {
        foreach (var node in _nodes)
        {
            if (table[node.Index] is { } s && s.Value >= 0 && node.CanRunResources)
            {
                return true;
            }
        }

        return false;
    }

    private void AddNodeScoresMatchingAttr(Score?[] nodes, WResource rsc, string? attr, float factor, bool onlyPositive)
    {
        attr ??= "#uname";
        var groups = AttributeGroups(attr);
        var best = BestScoresByAttribute(rsc, groups);
        foreach (var node in _nodes)
        {
            if (nodes[node.Index] is not { } current)
            {
                continue;
            }

            var group = groups[node.Index];
            var score = group >= 0 && best[group] != long.MinValue ? (int)best[group] : -Score.InfinityValue;
            if (factor < 0 && score < 0)
            {
                continue;
            }

            if (current.Value == InfinityHack)
            {
                continue;
            }

            var weightF = factor * score;
            var weight = (int)(weightF < 0 ? weightF - 0.5f : weightF + 0.5f);
            if (weight == 0 && score != 0)
            {
                weight = factor > 0 ? 1 : factor < 0 ? -1 : 0;
            }

            var newScore = new Score(weight) + current;
            if (onlyPositive && newScore.Value < 0 && current.Value > 0)
            {
                nodes[node.Index] = new Score(InfinityHack);
                continue;
            }

            if (onlyPositive && newScore.Value < 0 && current.Value == 0)
            {
                continue;
            }

            nodes[node.Index] = newScore;
        }
    }

    /// <summary>
    /// best_node_score_matching_attr for every attribute value at once: the best score per group of nodes with
    /// the same value (long.MinValue for none).
    /// </summary>
    private long[] BestScoresByAttribute(WResource rsc, int[] groups)
    {
        var best = new long[_nodes.Count];
        Array.Fill(best, long.MinValue);
        foreach (var node in _nodes)
        {
            var group = groups[node.Index];
            if (rsc.Allowed[node.Index] is not { } s || !NodeAvailable(node) || group < 0)
            {
                continue;
            }

            if (best[group] == long.MinValue || s.Value > best[group])
            {
                best[group] = s.Value;
            }
        }

        return best;
    }

    private readonly Dictionary<string, int[]> _attributeGroups = new(StringComparer.Ordinal);

    /// <summary>
    /// For each node, the group of nodes with the same value of the attribute (values compared case-insensitively,
    /// numbered in node order), or -1 without the attribute. Node attributes are final once the status is
    /// unpacked: from then on the grouping is computed once per attribute.
    /// </summary>
    private int[] AttributeGroups(string attr)
    {
        if (_attributeGroups.TryGetValue(attr, out var groups))
        {
            return groups;
        }

        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        groups = new int[_nodes.Count];
        foreach (var node in _nodes)
        {
            if (node.Attribute(attr) is not { } value)
            {
                groups[node.Index] = -1;
                continue;
            }

            if (!ids.TryGetValue(value, out var id))
            {
                id = ids.Count;
                ids[value] = id;
            }

            groups[node.Index] = id;
        }

        if (_statusUnpacked)
        {
            _attributeGroups[attr] = groups;
        }

        return groups;
    }

    // ---- groups ---------------------------------------------------------------------------------------

    private WNode? AssignGroup(WResource rsc, WNode? prefer)
    {
        if (!rsc.Provisional)
        {
            return rsc.AllocatedTo;
        }

        if (rsc.Allocating)
        {
            return null;
        }

        if (rsc.Children.Count == 0)
        {
            rsc.Provisional = false;
            return null;
        }

        rsc.Allocating = true;
        var first = rsc.Children[0];
        var last = rsc.Children[^1];
        rsc.Role = first.Role;
        first.ThisWith.AddRange(rsc.ThisWith);

        // expand_group_colocations: the members after an unmanaged (and so unmoved) one are no longer held by the
        // internal colocations alone, so they get the group's mandatory colocations too.
        var anyUnmanaged = !first.Managed;
        for (var i = 1; i < rsc.Children.Count; i++)
        {
            var member = rsc.Children[i];
            if (anyUnmanaged)
            {
                member.ThisWith.AddRange(rsc.ThisWith.Where(c => c.Score == Score.InfinityValue));
            }
            else if (!member.Managed)
            {
                anyUnmanaged = true;
            }
        }

        rsc.ThisWith = [];
        last.WithThis.AddRange(rsc.WithThis);
        rsc.WithThis = [];

        ShowScores("pcmk__group_assign", rsc);
        WNode? groupNode = null;
        foreach (var child in rsc.Children)
        {
            var node = Assign(child, prefer);
            groupNode ??= node;
        }

        rsc.NextRole = first.NextRole;
        rsc.Allocating = false;
        rsc.Provisional = false;
        rsc.AllocatedTo = rsc.GroupColocated ? groupNode : null;
        return rsc.GroupColocated ? groupNode : null;
    }
}
