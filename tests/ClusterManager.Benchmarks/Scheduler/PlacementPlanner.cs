namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// Where each top-level item runs in the recorded history. <see cref="Node"/> is the node index for
/// primitives and groups (-1: not running), unused for clones, which run one instance on every history node.
/// </summary>
public sealed class ProblemPlacement(int[] node)
{
    private readonly int[] _node = node;

    public int Node(GeneratedItem item) => _node[item.Index];

    public int RunningItems => _node.Count(n => n >= 0);
}

/// <summary>
/// Decides the history of the "running" scenarios the way Pacemaker would assign a fresh cluster, so that a
/// settled cluster is (nearly) a steady state: items in document order; per node a score from location
/// constraints, mandatory and finite colocations on both sides (the dependents' preferences pull their primary,
/// one level deep), then the highest score wins, ties to the node with fewer resources, then to the lower name
/// in byte order (node10 before node2). A mandatory order whose first cannot start keeps its then stopped.
/// It is an approximation: where Pacemaker decides differently the settled scenarios show a few moves, as the
/// reference's own generated clusters did.
/// </summary>
public static class PlacementPlanner
{
    private const int Inf = ClusterProblem.Infinity;

    public static ProblemPlacement Plan(ClusterProblem problem)
    {
        var nodeCount = problem.HistoryNodes;
        var byName = Enumerable.Range(0, nodeCount)
            .OrderBy(n => problem.NodeNames[n], StringComparer.Ordinal)
            .ToArray();
        var items = problem.Items;
        var locations = new List<(int Node, int Score)>?[items.Count];
        var thisWith = new List<(GeneratedItem Primary, int Score)>?[items.Count];
        var withThis = new List<(GeneratedItem Dependent, int Score)>?[items.Count];
        var mandatoryFirsts = new List<GeneratedItem>?[items.Count];
        foreach (var c in problem.Constraints)
        {
            switch (c.Kind)
            {
                case ConstraintKind.Location:
                    (locations[c.First.Index] ??= []).Add((c.Node, c.Score));
                    break;
                case ConstraintKind.Colocation:
                    (thisWith[c.Then!.Index] ??= []).Add((c.First, c.Score));
                    (withThis[c.First.Index] ??= []).Add((c.Then, c.Score));
                    break;
                case ConstraintKind.Order when c.Mandatory:
                    (mandatoryFirsts[c.Then!.Index] ??= []).Add(c.First);
                    break;
                default:
                    break;
            }
        }

        var assigned = new int[items.Count];
        var runnable = new bool[items.Count];
        var load = new int[nodeCount];
        var score = new int[nodeCount];
        var saved = new int[nodeCount];
        foreach (var item in items)
        {
            if (item.Kind == ItemKind.Clone)
            {
                assigned[item.Index] = -2;
                runnable[item.Index] = true;
                for (var n = 0; n < nodeCount; n++)
                {
                    load[n]++;
                }

                continue;
            }

            Array.Clear(score);
            ApplyLocations(locations[item.Index], score);
            var blockedByPrimary = false;
            foreach (var mandatory in new[] { true, false })
            {
                // Dependent side: follow (or avoid) the primaries already assigned.
                foreach (var (primary, s) in thisWith[item.Index] ?? [])
                {
                    if ((Math.Abs(s) >= Inf) != mandatory)
                    {
                        continue;
                    }

                    Array.Copy(score, saved, nodeCount);
                    ApplyPrimary(assigned[primary.Index], s, score);
                    blockedByPrimary |= s >= Inf && !runnable[primary.Index];
                    if (!mandatory && !AnyAvailable(score))
                    {
                        Array.Copy(saved, score, nodeCount);
                    }
                }

                // Primary side: dependents (and theirs, recursively, with multiplied factors) pull or push this item.
                foreach (var (dependent, s) in withThis[item.Index] ?? [])
                {
                    if ((Math.Abs(s) >= Inf) != mandatory)
                    {
                        continue;
                    }

                    Array.Copy(score, saved, nodeCount);
                    var merging = new HashSet<int> { item.Index };
                    AddDependent(dependent, (double)s / Inf, score, merging);
                    if (!AnyAvailable(score))
                    {
                        Array.Copy(saved, score, nodeCount);
                    }
                }
            }

            var chosen = -1;
            foreach (var n in byName)
            {
                if (score[n] < 0)
                {
                    continue;
                }

                if (chosen < 0 || score[n] > score[chosen] || (score[n] == score[chosen] && load[n] < load[chosen]))
                {
                    chosen = n;
                }
            }

            assigned[item.Index] = chosen;
            if (chosen >= 0)
            {
                load[chosen] += item.Primitives.Count;
            }

            runnable[item.Index] = chosen >= 0 && !blockedByPrimary
                && (mandatoryFirsts[item.Index] ?? []).All(f => runnable[f.Index]);
        }

        void AddDependent(GeneratedItem dependent, double factor, int[] work, HashSet<int> merging)
        {
            if (!merging.Add(dependent.Index))
            {
                return;
            }

            var own = new int[nodeCount];
            ApplyLocations(locations[dependent.Index], own);
            for (var n = 0; n < nodeCount; n++)
            {
                if (factor < 0 && own[n] < 0)
                {
                    continue;
                }

                work[n] = Add(work[n], Delta(factor, own[n]));
            }

            // Pacemaker 2.1.5 reaches a group through its first member, whose own dependents are only the group's
            // later members: colocations with the group itself are not followed (checked against crm_simulate).
            if (dependent.Kind != ItemKind.Group && AnyAvailable(work))
            {
                foreach (var (next, s) in withThis[dependent.Index] ?? [])
                {
                    AddDependent(next, factor * s / Inf, work, merging);
                }
            }

            merging.Remove(dependent.Index);
        }

        var history = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            history[i] = assigned[i] == -2 ? -2 : runnable[i] ? assigned[i] : -1;
        }

        return new ProblemPlacement(history);
    }

    private static void ApplyPrimary(int primaryNode, int s, int[] score)
    {
        if (primaryNode == -2)
        {
            // A clone runs everywhere: mandatory changes nothing, finite adds once per instance.
            if (s < Inf)
            {
                for (var n = 0; n < score.Length; n++)
                {
                    score[n] = Add(score[n], s);
                }
            }
        }
        else if (primaryNode < 0)
        {
            if (s > 0)
            {
                for (var n = 0; n < score.Length; n++)
                {
                    score[n] = Add(score[n], -s);
                }
            }
        }
        else
        {
            for (var n = 0; n < score.Length; n++)
            {
                if (n == primaryNode)
                {
                    score[n] = s < Inf ? Add(score[n], s) : score[n];
                }
                else if (s >= Inf)
                {
                    score[n] = -Inf;
                }
            }
        }
    }

    private static void ApplyLocations(List<(int Node, int Score)>? locations, int[] score)
    {
        if (locations is null)
        {
            return;
        }

        // Pacemaker applies location constraints in reverse document order.
        for (var i = locations.Count - 1; i >= 0; i--)
        {
            var (node, s) = locations[i];
            if (node < score.Length)
            {
                score[node] = Add(score[node], s);
            }
        }
    }

    private static int Delta(double factor, int best)
    {
        var exact = factor * best;
        if (exact <= -Inf)
        {
            return -Inf;
        }

        if (exact >= Inf)
        {
            return Inf;
        }

        var rounded = (int)Math.Round(exact, MidpointRounding.AwayFromZero);
        return rounded == 0 && best != 0 && factor != 0 ? Math.Sign(exact) : rounded;
    }

    private static bool AnyAvailable(int[] score) => score.Any(s => s >= 0);

    /// <summary>Pacemaker's score addition: −INF wins over +INF, results clamp to ±INF.</summary>
    private static int Add(int a, int b)
    {
        if (a <= -Inf || b <= -Inf)
        {
            return -Inf;
        }

        if (a >= Inf || b >= Inf)
        {
            return Inf;
        }

        return Math.Clamp(a + b, -Inf, Inf);
    }
}
