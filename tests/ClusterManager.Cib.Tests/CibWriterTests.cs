using System.Diagnostics;
using System.Xml.Linq;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cib.Tests;

public sealed class CibWriterTests
{
    private const string Schema = "/usr/share/pacemaker/pacemaker-3.7.rng";

    private static string FixturePath => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "full.xml");

    [Test]
    public void Write_RoundTrips_TheFullFixture()
    {
        var first = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;
        var written = CibWriter.Write(first);
        var second = CibReader.Parse(written, Corpus.DefaultNow).Snapshot;

        Assert.That(CibWriter.Write(second), Is.EqualTo(written));
        Assert.That((second.Now, second.Version, second.Status.DesignatedController?.Value), Is.EqualTo((first.Now, first.Version, "node2")));
    }

    [Test]
    public void Write_DeclaresPacemaker37_AndExecutionDate()
    {
        var snapshot = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;

        var root = XElement.Parse(CibWriter.Write(snapshot));

        Assert.That(
            ((string?)root.Attribute("validate-with"), (string?)root.Attribute("execution-date"), (string?)root.Attribute("dc-uuid")),
            Is.EqualTo(("pacemaker-3.7", "1700000000", "102")));
    }

    [Test]
    public void Write_WritesSharedSetsOnce_ThenAsIdRef()
    {
        var snapshot = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;

        var root = XElement.Parse(CibWriter.Write(snapshot));
        var refs = root.Descendants("meta_attributes").Where(e => (string?)e.Attribute("id-ref") == "web-meta").ToList();
        var defs = root.Descendants("meta_attributes").Where(e => (string?)e.Attribute("id") == "web-meta").ToList();

        Assert.That((refs.Count, defs.Count), Is.EqualTo((1, 1)));
    }

    [Test]
    public void Write_WritesLegacyMasterAndPromotedRoles()
    {
        var snapshot = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;

        var root = XElement.Parse(CibWriter.Write(snapshot));
        var monitor = root.Descendants("op").Single(o => (string?)o.Attribute("id") == "web-monitor");

        Assert.That(
            (root.Descendants("master").Count(), (string?)monitor.Attribute("role"), (string?)monitor.Attribute("interval")),
            Is.EqualTo((1, "Promoted", "10s")));
    }

    [Test]
    public void Write_WritesExplicitOrderKinds()
    {
        var snapshot = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;

        var root = XElement.Parse(CibWriter.Write(snapshot));

        Assert.That(
            root.Descendants("rsc_order").Select(o => (string?)o.Attribute("kind")),
            Is.EqualTo(new[] { "Mandatory", "Serialize", "Optional", "Mandatory", "Optional" }));
    }

    [Test]
    public void Write_KeepsExpectedRc_WhenOnlyTheMagicHadIt()
    {
        var snapshot = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;

        var again = CibReader.Parse(CibWriter.Write(snapshot), Corpus.DefaultNow).Snapshot;
        var monitor = again.Status.Nodes[0].Resources[0].Operations[1];

        Assert.That((monitor.ExpectedRc, monitor.TransitionKey), Is.EqualTo(((int?)8, (string?)null)));
    }

    [Test]
    public void Write_Throws_ForAnUnknownConstraintType()
    {
        var snapshot = CibReader.Load(FixturePath, Corpus.DefaultNow).Snapshot;
        var odd = snapshot with
        {
            Configuration = snapshot.Configuration with { Constraints = [new OddConstraint("odd")] },
        };

        Assert.That(() => CibWriter.Write(odd), Throws.ArgumentException.With.Message.Contains("'odd'"));
    }

    /// <summary>
    /// Every written corpus CIB and the fixture validate against Pacemaker 2.1.5's own schema (pacemaker-common),
    /// checked with xmllint (libxml2-utils); see deploy/deps/cib.packages.
    /// </summary>
    [Test]
    public void Write_ValidatesAgainstPacemakerSchema_ForCorpusAndFixture()
    {
        var dir = Directory.CreateTempSubdirectory("cmt-cib-");
        try
        {
            var files = new List<string>();
            foreach (var source in Corpus.Files().Select(Corpus.PathOf).Append(FixturePath))
            {
                var target = Path.Combine(dir.FullName, $"{files.Count:D4}-{Path.GetFileName(source)}");
                File.WriteAllText(target, CibWriter.Write(CibReader.Load(source, Corpus.DefaultNow).Snapshot));
                files.Add(target);
            }

            var psi = new ProcessStartInfo("xmllint") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "--noout", "--relaxng", Schema }.Concat(files))
            {
                psi.ArgumentList.Add(a);
            }

            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = stdout.Result;
            var failures = stderr.Split('\n').Where(l => l.Length > 0 && !l.EndsWith(" validates", StringComparison.Ordinal)).ToList();

            Assert.That((process.ExitCode, failures), Is.EqualTo((0, new List<string>())));
            Assert.That(stderr.Split('\n').Count(l => l.EndsWith(" validates", StringComparison.Ordinal)), Is.EqualTo(files.Count));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record OddConstraint(string Id) : Constraint(Id);
}
