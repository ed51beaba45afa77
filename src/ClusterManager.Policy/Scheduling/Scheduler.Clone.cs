using ClusterManager.Model;

namespace ClusterManager.Policy.Scheduling;

// Clones and promotable clones: pcmk_sched_clone.c, pcmk_sched_promotable.c (2.1.5).
internal sealed partial class Scheduler
{
    private WNode? AssignClone(WResource rsc, WNode? prefer)
    {
        if (!rsc.Provisional || rsc.Allocating)
        {
            return null;
        }

        if (rsc.Promotable)
        {
            AddPromotionScores(rsc);
        }

        rsc.Allocating = true;
        foreach (var coloc in rsc.ThisWith.ToList())
        {
            Assign(coloc.Primary, prefer);
        }

        foreach (var coloc in rsc.WithThis.ToList())
        {
            if (!HasInfluence(coloc, null))
            {
                continue;
            }

            rsc.Allowed = NativeMergeWeights(coloc.Dependent, rsc.Id, rsc.Allowed, coloc.NodeAttribute,
                coloc.Score / (float)Score.InfinityValue, MergeFlags.Rollback | MergeFlags.Positive);
        }

        ShowScores("pcmk__clone_allocate", rsc);
        foreach (var child in rsc.Children)
        {
            ShowScores("pcmk__clone_allocate", child);
        }

        rsc.NodeCounts = new int[_nodes.Count];
        // g_list_sort: its merge order matters, as the comparison is not a total order.
        _colocatedScores.Clear();
        var ordered = GListSort(rsc.Children, (x, y) => CompareInstances(x, y, rsc));
        _colocatedScores.Clear();
        rsc.Children.Clear();
        rsc.Children.AddRange(ordered);
        DistributeChildren(rsc);
        if (rsc.Promotable)
        {
            SetInstanceRoles(rsc);
        }

        rsc.Provisional = false;
        rsc.Allocating = false;
        return null;
    }

    private void DistributeChildren(WResource clone)
    {
        var max = clone.CloneMax;
        var perHost = clone.CloneNodeMax;
        var available = _nodes.Count(n => clone.Allowed[n.Index] is not null && n.CanRunResources);
        var allColoc = max < available;
        var loopMax = available > 0 ? max / available : 0;
        if (loopMax < 1)
        {
            loopMax = 1;
        }

        var allocated = 0;
        foreach (var child in clone.Children)
        {
            if (allocated >= max)
            {
                break;
            }

            if (!child.Provisional)
            {
                continue;
            }

            // The instance's own flag: a cloned group is not marked failed when one of its members is.
            if (ActiveLocationCount(child, out var firstActive) == 0 || child.Failed)
            {
                continue;
            }

            var childNode = firstActive!;
            if (!childNode.CanRunResources || childNode.Weight.Value < 0)
            {
                continue;
            }

            if (clone.Allowed[childNode.Index] is not null && clone.NodeCounts[childNode.Index] >= loopMax)
            {
                continue;
            }

            if (AllocateInstance(child, clone, childNode, allColoc, perHost) is not null)
            {
                allocated++;
            }
        }

        foreach (var child in clone.Children)
        {
            if (!child.Provisional)
            {
                continue;
            }

            if (allocated >= max)
            {
                ResourceLocation(child, null, Score.MinusInfinity);
                ForceStopped(child);
            }
            else if (AllocateInstance(child, clone, null, allColoc, perHost) is not null)
            {
                allocated++;
            }
        }
    }

    /// <summary>An instance beyond clone-max: it is assigned nowhere.</summary>
    private void ForceStopped(WResource child)
    {
        foreach (var p in child.Primitives())
        {
            if (p.Provisional)
            {
                AssignNode(p, null, force: true);
            }
        }

        if (child.Variant == Variant.Group)
        {
            child.Provisional = false;
            child.NextRole = ResourceRole.Stopped;
        }
    }

    private WNode? AllocateInstance(WResource rsc, WResource clone, WNode? prefer, bool allColoc, int limit)
    {
        if (!rsc.Provisional)
        {
            return LocationOf(rsc);
        }

        if (rsc.Allocating)
        {
            return null;
        }

        AppendParentColocations(clone, rsc, allColoc);
        if (prefer is not null)
        {
            if (rsc.Allowed[prefer.Index] is not { } lp || lp.Value < 0)
            {
                return null;
            }
        }

        CanRunInstance(rsc, clone, limit);
        // The tables are restored only when a preferred node was not chosen.
        var backup = prefer is null ? null : SnapshotTables(rsc);
        var chosen = Assign(rsc, prefer);
        if (chosen is not null && prefer is not null && chosen != prefer)
        {
            RestoreTables(rsc, backup!);
            foreach (var p in rsc.Primitives())
            {
                DeallocateNative(p);
            }

            rsc.Provisional = true;
            rsc.AllocatedTo = null;
            chosen = null;
        }

        if (chosen is not null && clone.Allowed[chosen.Index] is not null)
        {
            clone.NodeCounts[chosen.Index]++;
        }

        return chosen;
    }

    private static List<(WResource, Score?[])> SnapshotTables(WResource rsc)
    {
        var result = new List<(WResource, Score?[])> { (rsc, (Score?[])rsc.Allowed.Clone()) };
        foreach (var child in rsc.Children)
        {
            result.Add((child, (Score?[])child.Allowed.Clone()));
        }

        return result;
    }

    private static void RestoreTables(WResource rsc, List<(WResource Rsc, Score?[] Table)> backup)
    {
        foreach (var (r, t) in backup)
        {
            r.Allowed = t;
        }
    }

    private static void AppendParentColocations(WResource clone, WResource child, bool all)
    {
        // append_parent_colocation prepends without looking for duplicates: an instance assigned in a second pass
        // (its preferred node not chosen first) counts the clone's colocations twice.
        foreach (var coloc in clone.ThisWith)
        {
            if (all || coloc.Score < 0 || coloc.Score == Score.InfinityValue)
            {
                child.ThisWith.Insert(0, coloc);
            }
        }

        foreach (var coloc in clone.WithThis)
        {
            if (!HasInfluence(coloc, child))
            {
                continue;
            }

            if (all || coloc.Score < 0)
            {
                child.WithThis.Insert(0, coloc);
            }
        }
    }

    private void CanRunInstance(WResource rsc, WResource clone, int limit)
    {
        foreach (var node in _nodes)
        {
            if (rsc.Allowed[node.Index] is null)
            {
                continue;
            }

            var ok = false;
            if (node.CanRunResources && !rsc.Orphan)
            {
                if (clone.Allowed[node.Index] is { } local)
                {
                    if (local.Value < 0)
                    {
                        UpdateScore(rsc, node, local);
                    }
                    else if (clone.NodeCounts[node.Index] < limit)
                    {
                        ok = true;
                    }
                }
            }

            if (!ok)
            {
                UpdateScore(rsc, node, Score.MinusInfinity);
            }
        }
    }

    /// <summary>common_update_score: adds to a node's score in a resource and all its descendants.</summary>
    private static void UpdateScore(WResource rsc, WNode node, Score score)
    {
        if (rsc.Allowed[node.Index] is { } s)
        {
            rsc.Allowed[node.Index] = s + score;
        }

        foreach (var child in rsc.Children)
        {
            UpdateScore(child, node, score);
        }
    }

    /// <summary>sort_clone_instance (2.1.5).</summary>
    private int CompareInstances(WResource a, WResource b, WResource clone)
    {
        var na = ActiveLocationCount(a, out var ca);
        var nb = ActiveLocationCount(b, out var cb);
        if (na > 0 && nb > 0 && na != nb)
        {
            return na < nb ? -1 : 1;
        }

        var can1 = ca is null || (a.Allowed[ca.Index] is { } s1 && s1.Value >= 0);
        var can2 = cb is null || (b.Allowed[cb.Index] is { } s2 && s2.Value >= 0);
        if (can1 != can2)
        {
            return can1 ? -1 : 1;
        }

        if (a.Priority != b.Priority)
        {
            return a.Priority > b.Priority ? -1 : 1;
        }

        // node_is_allowed: an instance active on a disallowed node counts as inactive from here on.
        var currentA = ca;
        var currentB = cb;
        if (!can1)
        {
            ca = null;
        }

        if (!can2)
        {
            cb = null;
        }

        if (ca is null && cb is null)
        {
            return 0;
        }

        if (ca is null || cb is null)
        {
            return ca is null ? 1 : -1;
        }

        can1 = ca!.CanRunResources;
        can2 = cb!.CanRunResources;
        if (can1 != can2)
        {
            return can1 ? -1 : 1;
        }

        var n1 = clone.Allowed[ca.Index];
        var n2 = clone.Allowed[cb.Index];
        if (n1 is null && n2 is null)
        {
            return 0;
        }

        if (n1 is null || n2 is null)
        {
            return n1 is null ? 1 : -1;
        }

        var c1 = clone.NodeCounts.Length > 0 ? clone.NodeCounts[ca.Index] : 0;
        var c2 = clone.NodeCounts.Length > 0 ? clone.NodeCounts[cb.Index] : 0;
        if (c1 != c2)
        {
            return c1 < c2 ? -1 : 1;
        }

        var f1 = AnyFailed(a);
        var f2 = AnyFailed(b);
        if (f1 != f2)
        {
            return f1 ? 1 : -1;
        }

        var rc = CompareInstancesByColocation(a, b, currentA!, currentB!);
        return rc != 0 ? rc : InstanceNumber(a).CompareTo(InstanceNumber(b));
    }

    /// <summary>
    /// cmp_instance_by_colocation (pcmk_sched_resource.c): each instance's current node, with the node's own weight
    /// (-INFINITY when offline or shutting down), scored by the clone's colocations; the higher score goes first.
    /// </summary>
    private int CompareInstancesByColocation(WResource a, WResource b, WNode currentA, WNode currentB)
    {
        var scoreA = ColocatedScoreOnCurrentNode(a, currentA);
        var scoreB = ColocatedScoreOnCurrentNode(b, currentB);
        return scoreA < scoreB ? 1 : scoreA > scoreB ? -1 : 0;
    }

    // ColocatedScoreOnCurrentNode during one sort of a clone's instances: the score depends on the instance and its
    // current node only, and the sort asks for it once per comparison (with 64 instances, ~400 times per clone).
    private readonly Dictionary<(WResource Instance, WNode Current), int> _colocatedScores = [];

    private int ColocatedScoreOnCurrentNode(WResource instance, WNode current)
    {
        if (_colocatedScores.TryGetValue((instance, current), out var known))
        {
            return known;
        }

        var score = ComputeColocatedScoreOnCurrentNode(instance, current);
        _colocatedScores[(instance, current)] = score;
        return score;
    }

    private int ComputeColocatedScoreOnCurrentNode(WResource instance, WNode current)
    {
        var table = new Score?[_nodes.Count];
        table[current.Index] = current.Weight;
        var clone = instance.Parent!;
        foreach (var coloc in clone.ThisWith.ToList())
        {
            table = NativeMergeWeights(coloc.Primary, instance.Id, table, coloc.NodeAttribute,
                coloc.Score / (float)Score.InfinityValue, MergeFlags.None);
        }

        foreach (var coloc in clone.WithThis.ToList())
        {
            if (!HasInfluence(coloc, instance))
            {
                continue;
            }

            table = NativeMergeWeights(coloc.Dependent, instance.Id, table, coloc.NodeAttribute,
                coloc.Score / (float)Score.InfinityValue, MergeFlags.Positive);
        }

        return table[current.Index]?.Value ?? 0;
    }

    /// <summary>pcmk__cmp_instance_number: the number after the last ':' of the instance's id.</summary>
    private static int InstanceNumber(WResource instance)
    {
        var id = instance.Id;
        var colon = id.LastIndexOf(':');
        return colon >= 0 && int.TryParse(id.AsSpan(colon + 1), out var n) ? n : 0;
    }

    /// <summary>GLib's g_list_sort: a stable top-down merge sort, the first half being the shorter one.</summary>
    private static List<T> GListSort<T>(List<T> list, Comparison<T> compare)
    {
        if (list.Count < 2)
        {
            return [.. list];
        }

        var half = list.Count / 2;
        var left = GListSort(list.GetRange(0, half), compare);
        var right = GListSort(list.GetRange(half, list.Count - half), compare);
        var result = new List<T>(list.Count);
        int i = 0, j = 0;
        while (i < left.Count && j < right.Count)
        {
            result.Add(compare(left[i], right[j]) <= 0 ? left[i++] : right[j++]);
        }

        result.AddRange(left.Skip(i));
        result.AddRange(right.Skip(j));
        return result;
    }

    // ---- promotable -----------------------------------------------------------------------------------

    private void AddPromotionScores(WResource clone)
    {
        foreach (var child in clone.Children)
        {
            foreach (var node in _nodes)
            {
                if (child.Allowed[node.Index] is not { } weight || !NodeAvailable(node))
                {
                    continue;
                }

                var score = PromotionScore(child, node, 0);
                if (score > 0)
                {
                    child.Allowed[node.Index] = weight + new Score(score);
                }

                // pcmk__add_promotion_scores: the instance's priority (which orders assignment) rises to it too.
                if (score > child.Priority)
                {
                    child.Priority = score;
                }
            }
        }
    }

    private int PromotionScore(WResource rsc, WNode node, int notSet)
    {
        if (rsc.Children.Count > 0)
        {
            var score = notSet;
            foreach (var child in rsc.Children)
            {
                var c = PromotionScore(child, node, notSet);
                score = score == notSet ? c : score + c;
            }

            return score;
        }

        if (!rsc.Unique && FilterAnonymousInstance(rsc, node))
        {
            // Allowed: the active (or probed) instance on this node.
        }
        else if (rsc.RunningOn.Count > 0 || rsc.KnownOn.Count > 0)
        {
            if (!rsc.RunningOn.Contains(node) && !rsc.KnownOn.Contains(node.Index))
            {
                return notSet;
            }
        }

        if (rsc.Allowed[node.Index] is not { } match || match.Value < 0)
        {
            return notSet;
        }

        var name = rsc.CloneName ?? rsc.Id;
        var value = node.Attribute("master-" + name);
        if (value is null && !rsc.Unique)
        {
            var stripped = StripInstance(rsc.Id);
            if (stripped != rsc.Id)
            {
                value = node.Attribute("master-" + stripped);
            }
        }

        return value is not null ? ParseScore(value, notSet) : notSet;
    }

    private bool FilterAnonymousInstance(WResource rsc, WNode node)
    {
        var key = StripInstance(rsc.Id);
        var parent = rsc.CloneParent!;
        foreach (var child in parent.Children)
        {
            var active = child.Primitives().FirstOrDefault(p => StripInstance(p.Id) == key && p.RunningOn.Contains(node));
            if (active == rsc)
            {
                return true;
            }

            if (active is not null)
            {
                return false;
            }
        }

        foreach (var child in parent.Children)
        {
            var match = child.Primitives().FirstOrDefault(p => StripInstance(p.Id) == key);
            if (match is not null && match.KnownOn.Contains(node.Index))
            {
                return true;
            }
        }

        return false;
    }

    private static ResourceRole StateOf(WResource r, bool current)
    {
        if (r.Variant == Variant.Primitive)
        {
            return current ? r.Role : r.NextRole;
        }

        var role = ResourceRole.Unknown;
        foreach (var c in r.Children)
        {
            var cr = StateOf(c, current);
            if (cr > role)
            {
                role = cr;
            }
        }

        return role;
    }

    private static void SetRoleUnpromoted(WResource rsc, bool current)
    {
        if (current)
        {
            if (rsc.Role == ResourceRole.Started)
            {
                rsc.Role = ResourceRole.Unpromoted;
            }
        }
        else
        {
            var allocated = rsc.Variant == Variant.Primitive ? rsc.AllocatedTo is not null : rsc.Primitives().Any(p => p.AllocatedTo is not null);
            rsc.NextRole = allocated ? ResourceRole.Unpromoted : ResourceRole.Stopped;
        }

        foreach (var c in rsc.Children)
        {
            SetRoleUnpromoted(c, current);
        }
    }

    private static void SetRolePromoted(WResource rsc)
    {
        if (rsc.NextRole == ResourceRole.Unknown)
        {
            rsc.NextRole = ResourceRole.Promoted;
        }

        foreach (var c in rsc.Children)
        {
            SetRolePromoted(c);
        }
    }

    private void SetInstanceRoles(WResource clone)
    {
        var promotedCounts = new int[_nodes.Count];
        foreach (var child in clone.Children)
        {
            if (StateOf(child, current: true) == ResourceRole.Started)
            {
                SetRoleUnpromoted(child, current: true);
            }

            var chosen = LocationOf(child);
            if (chosen is null)
            {
                continue;
            }

            var next = StateOf(child, current: false);
            switch (next)
            {
                case ResourceRole.Started or ResourceRole.Unknown:
                    child.Priority = PromotionScore(child, chosen, -1);
                    break;
                case ResourceRole.Unpromoted or ResourceRole.Stopped:
                    child.Priority = -Score.InfinityValue;
                    break;
            }

            ApplyPromotedLocation(child, child.Locations, chosen);
            ApplyPromotedLocation(child, clone.Locations, chosen);
            foreach (var coloc in child.ThisWith.ToList())
            {
                ColocateDependent(child, coloc.Primary, coloc);
            }

            child.SortIndex = child.Priority;
            if (next == ResourceRole.Promoted)
            {
                child.SortIndex = Score.InfinityValue;
            }
        }

        PromotionOrder(clone);
        var promoted = 0;
        foreach (var child in clone.Children)
        {
            WNode? chosen = null;
            if (child.SortIndex >= 0 && (promoted < clone.PromotedMax || !clone.Managed))
            {
                chosen = CanBePromoted(child, clone, promotedCounts);
            }

            if (chosen is null)
            {
                SetRoleUnpromoted(child, current: false);
                continue;
            }

            if (StateOf(child, current: true) < ResourceRole.Promoted && !HaveQuorum && NoQuorum == NoQuorumPolicy.Freeze)
            {
                SetRoleUnpromoted(child, current: false);
                continue;
            }

            promotedCounts[chosen.Index]++;
            SetRolePromoted(child);
            promoted++;
        }
    }

    private static void ApplyPromotedLocation(WResource child, List<Location> locations, WNode chosen)
    {
        foreach (var loc in locations.AsEnumerable().Reverse())
        {
            if (loc.RoleFilter != ResourceRole.Promoted)
            {
                continue;
            }

            foreach (var (node, score) in loc.Nodes)
            {
                if (node == chosen)
                {
                    child.Priority = (new Score(child.Priority) + score).Value;
                }
            }
        }
    }

    private WNode? CanBePromoted(WResource rsc, WResource clone, int[] promotedCounts)
    {
        foreach (var child in rsc.Children)
        {
            if (CanBePromoted(child, clone, promotedCounts) is null)
            {
                return null;
            }
        }

        var node = LocationOf(rsc);
        if (node is null)
        {
            return null;
        }

        if (!rsc.Managed && rsc.Variant == Variant.Primitive)
        {
            if (StateOf(rsc, current: true) != ResourceRole.Promoted)
            {
                return null;
            }
        }
        else if (rsc.Priority < 0)
        {
            return null;
        }
        else if (!NodeAvailable(node))
        {
            return null;
        }

        if (clone.Allowed[node.Index] is null)
        {
            return null;
        }

        return promotedCounts[node.Index] < clone.PromotedNodeMax || !rsc.Managed ? node : null;
    }

    private void PromotionOrder(WResource clone)
    {
        clone.Merging = true;
        foreach (var child in clone.Children)
        {
            var chosen = LocationOf(child);
            if (chosen is null || child.SortIndex < 0)
            {
                continue;
            }

            if (clone.Allowed[chosen.Index] is { } w)
            {
                clone.Allowed[chosen.Index] = new Score(child.SortIndex) + w;
            }
        }

        foreach (var coloc in clone.ThisWith.ToList())
        {
            if (coloc.DependentRole == ResourceRole.Promoted)
            {
                var flags = coloc.Score == Score.InfinityValue ? MergeFlags.None : MergeFlags.Rollback;
                clone.Allowed = NativeMergeWeights(coloc.Primary, clone.Id, clone.Allowed, coloc.NodeAttribute, coloc.Score / (float)Score.InfinityValue, flags);
            }
        }

        foreach (var coloc in clone.WithThis.ToList())
        {
            if (!HasInfluence(coloc, null))
            {
                continue;
            }

            if (coloc.PrimaryRole == ResourceRole.Promoted)
            {
                clone.Allowed = NativeMergeWeights(coloc.Dependent, clone.Id, clone.Allowed, coloc.NodeAttribute,
                    coloc.Score / (float)Score.InfinityValue, MergeFlags.Rollback | MergeFlags.Positive);
            }
        }

        foreach (var child in clone.Children)
        {
            var chosen = LocationOf(child);
            if (!child.Managed && child.NextRole == ResourceRole.Promoted)
            {
                child.SortIndex = Score.InfinityValue;
            }
            else if (chosen is not null && child.SortIndex >= 0 && clone.Allowed[chosen.Index] is { } w)
            {
                child.SortIndex = w.Value;
            }

            foreach (var node in _nodes)
            {
                if (chosen == node)
                {
                    _scores.Add(new ScoreEntry("promotion", new ResourceId(child.Id), node.Name, new Score(child.SortIndex), true));
                }
            }
        }

        var ordered = clone.Children.Select((c, i) => (c, i)).ToList();
        ordered.Sort((x, y) =>
        {
            if (x.c.SortIndex != y.c.SortIndex)
            {
                return x.c.SortIndex > y.c.SortIndex ? -1 : 1;
            }

            var r1 = StateOf(x.c, current: true);
            var r2 = StateOf(y.c, current: true);
            if (r1 != r2)
            {
                return r1 > r2 ? -1 : 1;
            }

            var c = CompareInstances(x.c, y.c, clone);
            return c != 0 ? c : x.i.CompareTo(y.i);
        });
        clone.Children.Clear();
        clone.Children.AddRange(ordered.Select(x => x.c));
        clone.Merging = false;
    }

    private void UpdateDependentWithPromotable(WResource primary, WResource dependent, Coloc coloc)
    {
        var affected = new List<(WNode Node, Score Weight)>();
        foreach (var instance in primary.Children)
        {
            var node = LocationOf(instance);
            if (node is null)
            {
                continue;
            }

            if (StateOf(instance, current: false) == coloc.PrimaryRole)
            {
                if (coloc.Score < Score.InfinityValue)
                {
                    var attr = coloc.NodeAttribute ?? "#uname";
                    var pv = node.Attribute(attr);
                    foreach (var n in _nodes)
                    {
                        if (dependent.Allowed[n.Index] is { } w && string.Equals(pv, n.Attribute(attr), StringComparison.OrdinalIgnoreCase))
                        {
                            dependent.Allowed[n.Index] = w + new Score(coloc.Score);
                        }
                    }
                }

                var weight = instance.Primitives().FirstOrDefault()?.Allowed[node.Index] ?? Score.Zero;
                affected.Add((node, weight));
            }
        }

        if (coloc.Score >= Score.InfinityValue
            && (coloc.DependentRole != ResourceRole.Promoted || coloc.PrimaryRole != ResourceRole.Promoted))
        {
            foreach (var n in _nodes)
            {
                if (dependent.Allowed[n.Index] is not { } w)
                {
                    continue;
                }

                var hit = affected.FindIndex(a => a.Node == n);
                dependent.Allowed[n.Index] = hit < 0 ? Score.MinusInfinity : w + affected[hit].Weight;
            }

            foreach (var (node, _) in affected)
            {
                dependent.Allowed[node.Index] ??= Score.MinusInfinity;
            }
        }
    }

    private void UpdatePromotableDependentPriority(WResource primary, WResource dependent, Coloc coloc)
    {
        var instance = FindCompatibleChild(dependent, primary, coloc.PrimaryRole, current: false);
        if (instance is not null)
        {
            dependent.Priority = (new Score(dependent.Priority) + new Score(coloc.Score)).Value;
        }
        else if (coloc.Score >= Score.InfinityValue)
        {
            dependent.Priority = -Score.InfinityValue;
        }
    }

    private static void ApplyColocationToPriority(WResource dependent, WResource primary, Coloc coloc)
    {
        if (primary.AllocatedTo is null || dependent.AllocatedTo is null)
        {
            return;
        }

        var attribute = coloc.NodeAttribute ?? "#id";
        var dv = dependent.AllocatedTo.Attribute(attribute);
        var pv = primary.AllocatedTo.Attribute(attribute);
        if (!string.Equals(dv, pv, StringComparison.OrdinalIgnoreCase))
        {
            if (coloc.Score == Score.InfinityValue && coloc.DependentRole == ResourceRole.Promoted)
            {
                dependent.Priority = -Score.InfinityValue;
            }

            return;
        }

        if (coloc.PrimaryRole != ResourceRole.Unknown && coloc.PrimaryRole != primary.NextRole)
        {
            return;
        }

        var multiplier = coloc.DependentRole == ResourceRole.Unpromoted ? -1 : 1;
        dependent.Priority = (new Score(multiplier * coloc.Score) + new Score(dependent.Priority)).Value;
    }
}
