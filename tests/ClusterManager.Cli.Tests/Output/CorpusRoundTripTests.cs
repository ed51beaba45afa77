using System.Text.RegularExpressions;
using ClusterManager.Cli.Output;
using ClusterManager.Cli.Tests.Support;
using ClusterManager.Model;
using ClusterManager.Policy;

namespace ClusterManager.Cli.Tests.Output;

/// <summary>
/// Reads every status section of the conformance corpus (crm_simulate 2.1.5 output) back into a view, prints it
/// again and expects the identical text; and checks the placement rows of each revised section against the
/// corpus' .placement file (all four columns). Sections a view cannot express are counted, not compared.
/// </summary>
public partial class CorpusRoundTripTests
{
    private static string CorpusDirectory(string tier)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "conformance", "pacemaker-2.1.5", tier);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/conformance/pacemaker-2.1.5 not found");
    }

    [TestCase("core", 360)]
    [TestCase("tier2", 420)]
    public void Write_ReproducesStatusSections_OfTheCorpus(string tier, int atLeast)
    {
        var compared = 0;
        var skipped = new List<string>();
        var mismatches = new List<string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory(tier), "*.summary").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            foreach (var title in new[] { "Current cluster status", "Revised Cluster Status" })
            {
                var section = SummaryTextParser.Section(lines, title);
                var parsed = section is null ? null : SummaryTextParser.Parse(section);
                if (parsed is not { } p)
                {
                    skipped.Add($"{Path.GetFileName(file)} {title}");
                    continue;
                }

                compared++;
                using var writer = new StringWriter();
                ClusterStatusWriter.Write(writer, title, p.View, p.Options);
                var expected = title + ":\n" + string.Join('\n', section!) + "\n";
                if (writer.ToString() != expected)
                {
                    mismatches.Add($"{Path.GetFileName(file)} {title}:\n{FirstDifference(expected, writer.ToString())}");
                }
            }
        }

        TestContext.Out.WriteLine($"{tier}: {compared} sections compared, {skipped.Count} not expressible: {string.Join(", ", skipped.Take(10))}");
        Assert.That(mismatches, Is.Empty, () => $"{mismatches.Count} sections differ; first:\n" + string.Join("\n", mismatches.Take(5)));
        Assert.That(compared, Is.GreaterThanOrEqualTo(atLeast));
    }

    [TestCase("core", 180)]
    [TestCase("tier2", 210)]
    public void From_MatchesPlacementFiles_OfTheCorpus(string tier, int atLeast)
    {
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var file in Directory.GetFiles(CorpusDirectory(tier), "*.summary").Order(StringComparer.Ordinal))
        {
            var section = SummaryTextParser.Section(File.ReadAllLines(file), "Revised Cluster Status");
            if (section is null || SummaryTextParser.Parse(section) is not { } parsed)
            {
                continue;
            }

            compared++;
            var expected = File.ReadAllLines(Path.ChangeExtension(file, ".placement")).Where(l => l.Length > 0).Order(StringComparer.Ordinal).ToList();
            var actual = PlacementRows.From(parsed.View).Select(r => r.ToText()).Order(StringComparer.Ordinal).ToList();
            if (!expected.SequenceEqual(actual))
            {
                mismatches.Add($"{Path.GetFileName(file)}: expected [{string.Join(" | ", expected.Except(actual))}] got [{string.Join(" | ", actual.Except(expected))}]");
            }
        }

        Assert.That(mismatches, Is.Empty, () => $"{mismatches.Count} of {compared} differ:\n" + string.Join("\n", mismatches.Take(8)));
        Assert.That(compared, Is.GreaterThanOrEqualTo(atLeast));
    }

    [Test]
    public void Lines_ReproduceEveryTransitionSummary_OfTheCorpus()
    {
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var file in new[] { "core", "tier2" }.SelectMany(t => Directory.GetFiles(CorpusDirectory(t), "*.summary")).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            var start = Array.IndexOf(lines, "Transition Summary:");
            var expected = lines.Skip(start + 1).TakeWhile(l => l.Length > 0).ToList();
            var changes = new List<ResourceChange>();
            var actions = new List<PlannedAction>();
            foreach (var line in expected)
            {
                changes.Add(ParseChange(line, actions));
            }

            compared++;
            var actual = TransitionSummaryWriter.Lines([.. changes], [.. actions]);
            if (!actual.SequenceEqual(expected))
            {
                mismatches.Add(Path.GetFileNameWithoutExtension(file));
            }
        }

        // tier2/promoted-with-blocked: crm_simulate's logging pass left the details width at 23 although its widest
        // summary line has 25 characters of details; every other summary follows the two-pass width rule.
        Assert.That(mismatches, Is.EqualTo(new[] { "promoted-with-blocked" }));
        Assert.That(compared, Is.EqualTo(396));
    }

    private static readonly string[] RoleWords = ["Stopped", "Started", "Unpromoted", "Promoted"];

    private static ResourceRole Role(string word) => Enum.Parse<ResourceRole>(word);

    private static ResourceChange ParseChange(string line, List<PlannedAction> actions)
    {
        var fence = FenceLine().Match(line);
        if (fence.Success)
        {
            var node = new NodeName(fence.Groups[2].Value);
            actions.Add(new PlannedAction(actions.Count, ActionKind.Fence, "fence", null, node, TimeSpan.Zero, true, fence.Groups[1].Value, null, []));
            return new ResourceChange(ChangeKind.Fence, node.Value, null, node, null, null, fence.Groups[3].Value, false);
        }

        var m = ChangeLine().Match(line);
        Assert.That(m.Success, Is.True, line);
        var kind = m.Groups[1].Value == "Re-promote" ? ChangeKind.RePromote : Enum.Parse<ChangeKind>(m.Groups[1].Value);
        var words = m.Groups[3].Value.Split(' ');
        var reasonText = m.Groups[4].Success ? m.Groups[4].Value : null;
        var blocked = reasonText is not null && (reasonText == "blocked" || reasonText.EndsWith(" (blocked)", StringComparison.Ordinal));
        string? reason = reasonText is null || reasonText == "blocked" ? null : reasonText["due to ".Length..];
        if (blocked && reason is not null)
        {
            reason = reason[..^" (blocked)".Length];
        }

        NodeName N(string n) => new(n);
        bool IsRole(string w) => RoleWords.Contains(w);
        (NodeName? from, NodeName? to, ResourceRole? fromRole, ResourceRole? toRole) = words switch
        {
            [var r1, "->", var r2, var n] when IsRole(r1) && IsRole(r2) => ((NodeName?)null, (NodeName?)N(n), (ResourceRole?)Role(r1), (ResourceRole?)Role(r2)),
            [var r1, var n1, "->", var r2, var n2] => (N(n1), N(n2), Role(r1), Role(r2)),
            [var n1, "->", var n2, var r] when IsRole(r) => (N(n1), N(n2), Role(r), Role(r)),
            [var n1, "->", var n2] => (N(n1), N(n2), null, null),
            [var r, var n] when IsRole(r) => (N(n), null, Role(r), ResourceRole.Stopped),
            [var n] when kind == ChangeKind.Start => (null, N(n), null, null),
            [var n] => (N(n), null, null, null),
            _ => throw new AssertionException($"unexpected details in '{line}'"),
        };
        return new ResourceChange(kind, m.Groups[2].Value, from, to, fromRole, toRole, reason, blocked);
    }

    [GeneratedRegex(@"^  \* Fence \((\S+)\) (\S+) '(.*)'$")]
    private static partial Regex FenceLine();

    [GeneratedRegex(@"^  \* (\S+)\s+(\S+)\s+\(\s*(.*?) \)(?:  (.*))?$")]
    private static partial Regex ChangeLine();

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var x = i < e.Length ? e[i] : "<none>";
            var y = i < a.Length ? a[i] : "<none>";
            if (x != y)
            {
                return $"  line {i + 1}\n  expected: {x.Replace("\t", "\\t", StringComparison.Ordinal)}\n  actual:   {y.Replace("\t", "\\t", StringComparison.Ordinal)}";
            }
        }

        return "(same)";
    }
}
