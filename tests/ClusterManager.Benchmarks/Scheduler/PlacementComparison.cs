using System.Diagnostics;
using ClusterManager.Policy;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>Result of comparing two final placements: keys compared and keys whose rows differ.</summary>
public sealed record PlacementAgreement(int Keys, int Differences, IReadOnlyList<string> Examples);

/// <summary>
/// Compares the engine's projected cluster with crm_simulate's revised status, in the row format of
/// tests/conformance/tools/placement_of.py (<c>KEY ROLE NODE</c>; anonymous clone instances keyed
/// <c>CLONE/CHILD</c> per node, stopped anonymous instances left out), ignoring flags.
/// </summary>
public static class PlacementComparison
{
    /// <summary>The engine's rows from <see cref="Transition.Projected"/>.</summary>
    public static IEnumerable<string> Rows(ClusterView view)
    {
        foreach (var resource in view.Resources)
        {
            switch (resource)
            {
                case PrimitiveView p:
                    foreach (var row in PrimitiveRows(p.Id.Value, p))
                    {
                        yield return row;
                    }

                    break;
                case GroupView g:
                    foreach (var m in g.Members)
                    {
                        foreach (var row in PrimitiveRows(m.Id.Value, m))
                        {
                            yield return row;
                        }
                    }

                    break;
                case CloneView c:
                    foreach (var row in CloneRows(c))
                    {
                        yield return row;
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private static IEnumerable<string> CloneRows(CloneView clone)
    {
        foreach (var instance in clone.Instances)
        {
            if (clone.Unique)
            {
                foreach (var row in instance switch
                {
                    PrimitiveView p => PrimitiveRows(p.Id.Value, p),
                    GroupView g => g.Members.SelectMany(m => PrimitiveRows(m.Id.Value, m)),
                    _ => [],
                })
                {
                    yield return row;
                }

                continue;
            }

            switch (instance)
            {
                case PrimitiveView p when p.Nodes.Length > 0:
                    foreach (var row in PrimitiveRows($"{clone.Id.Value}/{BaseId(p.Id.Value)}", p))
                    {
                        yield return row;
                    }

                    break;
                case GroupView g:
                    var nodes = g.Members.SelectMany(m => m.Nodes).Distinct().ToArray();
                    if (nodes.Length == 1 && g.Members.All(m => m.Nodes.Length == 1 && m.Role == g.Members[0].Role))
                    {
                        yield return $"{clone.Id.Value}/{BaseId(g.Id.Value)}\t{g.Members[0].Role}\t{nodes[0]}";
                    }
                    else
                    {
                        foreach (var m in g.Members.Where(m => m.Nodes.Length > 0))
                        {
                            foreach (var row in PrimitiveRows($"{clone.Id.Value}/{BaseId(g.Id.Value)}/{BaseId(m.Id.Value)}", m))
                            {
                                yield return row;
                            }
                        }
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private static IEnumerable<string> PrimitiveRows(string key, PrimitiveView p)
    {
        if (p.Nodes.IsDefaultOrEmpty)
        {
            yield return $"{key}\tStopped\t-";
            yield break;
        }

        foreach (var node in p.Nodes)
        {
            yield return $"{key}\t{p.Role}\t{node}";
        }
    }

    private static string BaseId(string id)
    {
        var colon = id.LastIndexOf(':');
        return colon > 0 ? id[..colon] : id;
    }

    /// <summary>Finds tests/conformance/tools/placement_of.py above the working directory or the binary.</summary>
    public static string? FindPlacementTool()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "conformance", "tools", "placement_of.py");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runs placement_of.py (--no-flags) on crm_simulate's text output.</summary>
    public static async Task<IReadOnlyList<string>> ReferenceRowsAsync(string tool, string simulateOutput, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        start.ArgumentList.Add("--no-flags");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(simulateOutput.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"placement_of.py failed (exit {process.ExitCode}): {await error}");
        }

        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#'))
            .ToArray();
    }

    /// <summary>Compares two row lists per key (a key's rows as a set).</summary>
    public static PlacementAgreement Compare(IEnumerable<string> engine, IEnumerable<string> reference)
    {
        static Dictionary<string, SortedSet<string>> ByKey(IEnumerable<string> rows)
        {
            var map = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                var cols = row.Split('\t');
                var key = cols[0];
                var value = string.Join('\t', cols.Skip(1).Take(2));
                if (!map.TryGetValue(key, out var set))
                {
                    map[key] = set = new SortedSet<string>(StringComparer.Ordinal);
                }

                set.Add(value);
            }

            return map;
        }

        var ours = ByKey(engine);
        var theirs = ByKey(reference);
        var differences = new List<string>();
        foreach (var key in ours.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal))
        {
            var a = ours.TryGetValue(key, out var x) ? string.Join(" ", x) : "(absent)";
            var b = theirs.TryGetValue(key, out var y) ? string.Join(" ", y) : "(absent)";
            if (a != b)
            {
                differences.Add($"{key}: engine {a.Replace('\t', ' ')} / crm_simulate {b.Replace('\t', ' ')}");
            }
        }

        return new PlacementAgreement(ours.Keys.Union(theirs.Keys).Count(), differences.Count, differences.Take(5).ToArray());
    }
}
