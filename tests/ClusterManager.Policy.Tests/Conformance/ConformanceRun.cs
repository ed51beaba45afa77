using System.Collections.Concurrent;
using System.Collections.Immutable;
using ClusterManager.Cib;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Output;

namespace ClusterManager.Policy.Tests.Conformance;

/// <summary>What the engine made of one case: its placement rows and summary lines, or why it could not.</summary>
public sealed record CaseOutcome(ImmutableArray<string> PlacementRows, ImmutableArray<string> SummaryLines, string? Error);

/// <summary>
/// Runs the engine on a case in-process (read the CIB, compute, render), once per case: the placement and the
/// summary test of a case share one computation.
/// </summary>
public static class ConformanceRun
{
    /// <summary>"now" for cases with neither <c>-t</c> nor an execution-date (any date after all their history).</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ConcurrentDictionary<string, Lazy<CaseOutcome>> Outcomes = new(StringComparer.Ordinal);

    /// <summary>The outcome of <paramref name="testCase"/>, computed on first use.</summary>
    public static CaseOutcome Outcome(ConformanceCase testCase) =>
        Outcomes.GetOrAdd(testCase.Key, _ => new Lazy<CaseOutcome>(() => Compute(testCase))).Value;

    private static CaseOutcome Compute(ConformanceCase testCase)
    {
        try
        {
            var snapshot = CibReader.Parse(File.ReadAllText(testCase.XmlPath), DefaultNow).Snapshot;
            if (testCase.DateArgument is { } date)
            {
                if (!CrmDate.TryParse(date, out var now))
                {
                    return new CaseOutcome([], [], $"manifest date '{date}' is not a date");
                }

                snapshot = snapshot with { Now = now };
            }

            var transition = PolicyEngine.Compute(snapshot);
            return new CaseOutcome(
                [.. PlacementRows.From(transition.Projected).Select(r => r.ToText(withFlags: false)).Order(StringComparer.Ordinal)],
                TransitionSummaryWriter.Lines(transition),
                null);
        }
        catch (Exception e)
        {
            // Any failure is this case's result (the engine is under construction); other cases still run.
            var message = e.Message.Split('\n')[0];
            return new CaseOutcome([], [], $"{e.GetType().Name}: {message}");
        }
    }

    /// <summary>The expected placement rows (KEY ROLE NODE, FLAGS dropped as compare_corpus.py does), sorted.</summary>
    public static ImmutableArray<string> ExpectedPlacement(ConformanceCase testCase) =>
        [.. File.ReadAllLines(testCase.PlacementPath)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => string.Join('\t', l.Split('\t').Take(3)))
            .Order(StringComparer.Ordinal)];

    /// <summary>The lines of the "Transition Summary" section of the case's .summary file.</summary>
    public static ImmutableArray<string> ExpectedSummary(ConformanceCase testCase)
    {
        var lines = File.ReadAllLines(testCase.SummaryPath);
        var start = Array.IndexOf(lines, "Transition Summary:");
        if (start < 0)
        {
            return [];
        }

        return [.. lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("Executing Cluster Transition", StringComparison.Ordinal)
                && !l.StartsWith("Revised Cluster Status", StringComparison.Ordinal)).Where(l => l.Trim().Length > 0)];
    }

    /// <summary>Whitespace ignored as <c>diff --ignore-all-space</c> does.</summary>
    /// <summary>Asserts the engine's final placement for a case equals the expected rows; the message starts with the first difference.</summary>
    public static void AssertPlacement(ConformanceCase testCase)
    {
        var outcome = Outcome(testCase);
        Assert.That(outcome.Error, Is.Null, () => $"engine failed: {outcome.Error}");

        var diff = LineDiff.Diff(ExpectedPlacement(testCase), outcome.PlacementRows, row => row);
        Assert.That(diff, Is.Empty, () => FirstLine(diff) + "\n" + LineDiff.Compact(diff).Replace('\t', ' '));
    }

    /// <summary>Asserts the transition summary lines for a case equal the expected ones, whitespace ignored.</summary>
    public static void AssertSummary(ConformanceCase testCase)
    {
        var outcome = Outcome(testCase);
        Assert.That(outcome.Error, Is.Null, () => $"engine failed: {outcome.Error}");

        var diff = LineDiff.Diff(ExpectedSummary(testCase), outcome.SummaryLines, WithoutSpace);
        var shown = diff.Select(Collapsed).ToList();
        Assert.That(shown, Is.Empty, () => FirstLine(shown) + "\n" + LineDiff.Compact(shown));
    }

    private static string FirstLine(IReadOnlyList<string> diff) =>
        diff.Count == 0 ? "" : "first difference: " + diff[0].Replace('\t', ' ');

    public static string WithoutSpace(string line) => string.Concat(line.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>Runs of whitespace collapsed, for messages.</summary>
    public static string Collapsed(string line) =>
        string.Join(' ', line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
