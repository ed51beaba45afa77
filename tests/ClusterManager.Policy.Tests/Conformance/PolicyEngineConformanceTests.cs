namespace ClusterManager.Policy.Tests.Conformance;

/// <summary>
/// The engine against Pacemaker 2.1.5's own scheduler regression cases (tests/conformance/pacemaker-2.1.5):
/// one placement test per case of both tiers (final placement rows as tools/placement_of.py extracts them, FLAGS
/// ignored as tools/compare_corpus.py does) and one transition-summary test per core case (the rendered
/// "Transition Summary" lines, whitespace ignored as cts-scheduler's <c>diff --ignore-all-space</c>).
/// Known mismatches are listed in tests/known-gaps.txt (tests/conformance/update-known-gaps.sh rewrites them).
/// A failure's first line is the first differing row.
/// </summary>
public class PolicyEngineConformanceTests
{
    public static IEnumerable<TestCaseData> PlacementCases() =>
        ConformanceCorpus.Cases.Select(c => new TestCaseData(c.Key));

    public static IEnumerable<TestCaseData> SummaryCases() =>
        ConformanceCorpus.Cases.Where(c => c.Tier == "core").Select(c => new TestCaseData(c.Key));

    [TestCaseSource(nameof(PlacementCases))]
    public void Placement(string name) => ConformanceRun.AssertPlacement(ConformanceCorpus.Get(name));

    [TestCaseSource(nameof(SummaryCases))]
    public void Summary(string name) => ConformanceRun.AssertSummary(ConformanceCorpus.Get(name));

    [Test]
    public void Compute_GivesAnOutcome_ForEveryCorpusCase()
    {
        var cases = ConformanceCorpus.Cases;
        var outcomes = cases.ToDictionary(c => c, ConformanceRun.Outcome);

        var lines = new List<string>();
        foreach (var (tier, count) in ConformanceCorpus.Tiers)
        {
            var inTier = cases.Where(c => c.Tier == tier).ToList();
            Assert.That(inTier, Has.Count.EqualTo(count), $"cases in {tier}/manifest.csv");
            Assert.That(inTier.Where(c => !File.Exists(c.XmlPath) || !File.Exists(c.PlacementPath) || !File.Exists(c.SummaryPath)),
                Is.Empty, $"cases of {tier} without .xml, .placement or .summary");

            var placed = inTier.Count(c => outcomes[c].Error is null
                && outcomes[c].PlacementRows.SequenceEqual(ConformanceRun.ExpectedPlacement(c)));
            lines.Add($"placement matched {tier} {placed}/{inTier.Count}");
            if (tier == "core")
            {
                var summarized = inTier.Count(c => outcomes[c].Error is null
                    && outcomes[c].SummaryLines.Select(ConformanceRun.WithoutSpace)
                        .SequenceEqual(ConformanceRun.ExpectedSummary(c).Select(ConformanceRun.WithoutSpace)));
                lines.Add($"summary matched {tier} {summarized}/{inTier.Count}");
            }
        }

        var failures = outcomes.Values.Where(o => o.Error is not null).GroupBy(o => o.Error).OrderByDescending(g => g.Count()).Take(3);
        foreach (var group in failures)
        {
            lines.Add($"engine failed on {group.Count()} cases: {group.Key}");
        }

        TestContext.Out.WriteLine(string.Join('\n', lines));
        Assert.That(outcomes.Values, Has.All.Matches<CaseOutcome>(o => o.Error is not null || !o.SummaryLines.IsDefault),
            "every case gives rows and summary lines, or an error");
        Assert.That(outcomes, Has.Count.EqualTo(ConformanceCorpus.Tiers.Sum(t => t.Count)));
    }
}
