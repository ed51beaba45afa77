namespace ClusterManager.Policy.Tests.Conformance;

/// <summary>
/// The engine against crm_simulate 2.1.5 on the minimised variants that tests/conformance/tools/fuzz_compare.py
/// found (tests/conformance/fuzz: NAME.xml with a comment naming its mutation, NAME.summary from
/// <c>crm_simulate -x NAME.xml -S</c>, NAME.placement from tools/placement_of.py): placement and transition summary,
/// compared as the corpus cases are. Unfixed ones are listed in tests/known-gaps.txt.
/// </summary>
public class FuzzConformanceTests
{
    private static readonly Lazy<string> Directory = new(() =>
        Path.Combine(Path.GetDirectoryName(ConformanceCorpus.Root)!, "fuzz"));

    public static IEnumerable<TestCaseData> Cases() =>
        System.IO.Directory.GetFiles(Directory.Value, "*.xml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)
            .Select(name => new TestCaseData($"fuzz/{name}"));

    [TestCaseSource(nameof(Cases))]
    public void Placement(string name) => ConformanceRun.AssertPlacement(Case(name));

    [TestCaseSource(nameof(Cases))]
    public void Summary(string name) => ConformanceRun.AssertSummary(Case(name));

    [Test]
    public void Cases_HaveSummaryAndPlacement_ForEveryFixture()
    {
        var names = Cases().Select(c => (string)c.Arguments[0]!).ToList();

        Assert.That(names, Is.Not.Empty);
        Assert.That(names.Select(Case).Where(c => !File.Exists(c.SummaryPath) || !File.Exists(c.PlacementPath)), Is.Empty);
    }

    private static ConformanceCase Case(string name) => new("fuzz", name["fuzz/".Length..], Directory.Value, "");
}
