using System.Xml.Linq;
using System.Xml.XPath;
using ClusterManager.Model.Configuration;
using ClusterManager.Model.Validation;

namespace ClusterManager.Cib.Tests;

/// <summary>Every Pacemaker 2.1.5 regression input parses, matches simple XPath counts, and round-trips.</summary>
public class CorpusTests
{
    private static IEnumerable<string> CorpusFiles() => Corpus.Files();

    [Test]
    public void Corpus_IsPresent_InTheRepository()
    {
        Assert.That(CorpusFiles().Count(), Is.GreaterThan(300));
    }

    [TestCaseSource(nameof(CorpusFiles))]
    public void Load_MatchesXPathCounts_OnEveryCorpusInput(string file)
    {
        var path = Corpus.PathOf(file);
        var doc = CibReader.Load(path, Corpus.DefaultNow);
        var xml = XDocument.Load(path);
        var config = doc.Snapshot.Configuration;

        int Count(string xpath) => xml.XPathSelectElements(xpath).Count();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Nodes, Has.Length.EqualTo(Count("/cib/configuration/nodes/node")));
            Assert.That(
                config.Resources,
                Has.Length.EqualTo(Count("/cib/configuration/resources/*[self::primitive or self::group or self::clone or self::master]")));
            Assert.That(config.AllPrimitives().Count(), Is.EqualTo(Count("/cib/configuration/resources//primitive")));
            Assert.That(config.Constraints, Has.Length.EqualTo(Count("/cib/configuration/constraints/*")));
            Assert.That(config.Constraints.OfType<LocationConstraint>().Count(), Is.EqualTo(Count("/cib/configuration/constraints/rsc_location")));
            Assert.That(doc.Snapshot.Status.Nodes, Has.Length.EqualTo(Count("/cib/status/node_state")));
            Assert.That(
                doc.Snapshot.Status.Nodes.Sum(n => n.Resources.Sum(r => r.Operations.Length)),
                Is.EqualTo(Count("/cib/status/node_state/lrm/lrm_resources/lrm_resource/lrm_rsc_op")));
            Assert.That(doc.Snapshot.Version, Is.EqualTo((long?)xml.Root!.Attribute("epoch") ?? 0));
        }
    }

    [TestCaseSource(nameof(CorpusFiles))]
    public void Write_RoundTrips_OnEveryCorpusInput(string file)
    {
        var first = CibReader.Load(Corpus.PathOf(file), Corpus.DefaultNow).Snapshot;
        var written = CibWriter.Write(first);
        var second = CibReader.Parse(written, Corpus.DefaultNow).Snapshot;
        var rewritten = CibWriter.Write(second);

        Assert.That(rewritten, Is.EqualTo(written));
    }

    [Test]
    public void Write_KeepsReloadDigests_OfEveryOperation()
    {
        // params-4's history says its agent reloads (op-force-restart, op-restart-digest): without them the engine
        // would restart where Pacemaker reloads.
        var first = CibReader.Load(Corpus.PathOf("tier2/params-4.xml"), Corpus.DefaultNow).Snapshot;
        var second = CibReader.Parse(CibWriter.Write(first), Corpus.DefaultNow).Snapshot;

        static List<(string?, string?)> Digests(Model.ClusterSnapshot s) =>
            [.. s.Status.Nodes.SelectMany(n => n.Resources).SelectMany(r => r.Operations).Select(o => (o.ForceRestart, o.RestartDigest))];
        Assert.That(Digests(first).Count(d => d.Item2 is not null), Is.GreaterThan(0));
        Assert.That(Digests(second), Is.EqualTo(Digests(first)));
    }

    /// <summary>Pacemaker accepts every corpus input, so the validator must find no errors in any (warnings are allowed).</summary>
    [TestCaseSource(nameof(CorpusFiles))]
    public void Validate_FindsNoErrors_OnEveryCorpusInput(string file)
    {
        var config = CibReader.Load(Corpus.PathOf(file), Corpus.DefaultNow).Snapshot.Configuration;

        var errors = ConfigurationValidator.Validate(config).Where(i => i.Severity == IssueSeverity.Error).Select(i => i.Message);

        Assert.That(errors, Is.Empty);
    }
}
