using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ClusterManager.Cli.Tests;

public class HactlTests
{
    private const string TwoNodeCib = """
        <cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
          <configuration>
            <crm_config>
              <cluster_property_set id="opts">
                <nvpair id="opts-stonith" name="stonith-enabled" value="false"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="node1"/>
              <node id="2" uname="node2"/>
            </nodes>
            <resources>
              <primitive id="rsc1" class="ocf" provider="heartbeat" type="apache"/>
            </resources>
            <constraints/>
          </configuration>
          <status>
            <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
            <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
          </status>
        </cib>
        """;

    private string _dir = "";

    [SetUp]
    public void CreateDirectory() =>
        _dir = Directory.CreateTempSubdirectory("hactl-tests-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var code = Hactl.Run(args, stdout, stderr, time);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [TestCase("--help")]
    [TestCase("help")]
    public void Run_PrintsCommandList_ForHelp(string flag)
    {
        var (code, output, _) = Run(flag);

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("simulate"));
    }

    [TestCase("simulate", "--help")]
    [TestCase("help", "simulate")]
    public void Run_PrintsUsage_ForCommandHelp(params string[] args)
    {
        var (code, output, _) = Run(args);

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.StartWith("Usage: hactl simulate --xml FILE"));
    }

    [Test]
    public void Run_Fails_ForUnknownCommand()
    {
        var (code, _, error) = Run("frobnicate");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith("error: unknown command 'frobnicate'"));
    }

    [Test]
    public void Run_Fails_WithoutArguments()
    {
        Assert.That(Run().Code, Is.EqualTo(2));
    }

    [TestCase(new[] { "simulate" }, "error: --xml FILE or --replay N is required")]
    [TestCase(new[] { "simulate", "--xml", "x.xml", "-t", "tomorrow" }, "error: 'tomorrow' is not a date")]
    [TestCase(new[] { "simulate", "--xml", "x.xml", "--output", "yaml" }, "error: unknown output format 'yaml'")]
    [TestCase(new[] { "simulate", "--xml", "x.xml", "--bogus" }, "error: unknown option '--bogus'")]
    public void Simulate_ReportsUsageErrors_WithExitCode2(string[] args, string message)
    {
        var (code, _, error) = Run(args);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith(message));
        Assert.That(error, Does.Contain("Usage: hactl simulate"));
    }

    [Test]
    public void Simulate_ReportsMissingFile_WithoutStackTrace()
    {
        var (code, output, error) = Run("simulate", "--xml", Path.Combine(_dir, "missing.xml"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.StartWith("error: cannot read "));
        Assert.That(error, Does.Not.Contain("   at "));
    }

    [TestCase("<cib><configuration>", "malformed XML")]
    [TestCase("<notacib/>", "not <cib>")]
    public void Simulate_ReportsMalformedCib_WithExitCode2(string xml, string problem)
    {
        var path = WriteFile("bad.xml", xml);

        var (code, _, error) = Run("simulate", "--xml", path);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith($"error: {path}: "));
        Assert.That(error, Does.Contain(problem));
        Assert.That(error, Does.Not.Contain("   at "));
    }

    [Test]
    public void Simulate_ReportsValidationIssues_OnStderr()
    {
        var path = WriteFile("cib.xml", TwoNodeCib.Replace("value=\"false\"", "value=\"maybe\"", StringComparison.Ordinal));

        var (_, _, error) = Run("simulate", "--xml", path);

        Assert.That(error, Does.Contain("error: /cib/configuration"));
        Assert.That(error, Does.Contain("stonith-enabled"));
    }

    [Test]
    public void Simulate_PrintsCrmSimulateLayout_ForTwoNodeCib()
    {
        var path = WriteFile("cib.xml", TwoNodeCib);

        var (code, output, error) = Run("simulate", "--xml", path, "-S");

        Assert.That(error, Is.Empty);
        Assert.That(code, Is.Zero);
        Assert.That(output, Is.EqualTo(string.Join("\n",
            "Current cluster status:",
            "  * Node List:",
            "    * Online: [ node1 node2 ]",
            "",
            "  * Full List of Resources:",
            "    * rsc1\t(ocf:heartbeat:apache):\t Stopped",
            "",
            "Transition Summary:",
            "  * Start      rsc1    ( node1 )",
            "",
            "Revised Cluster Status:",
            "  * Node List:",
            "    * Online: [ node1 node2 ]",
            "",
            "  * Full List of Resources:",
            "    * rsc1\t(ocf:heartbeat:apache):\t Started node1",
            "")));
    }

    [Test]
    public void Simulate_PrintsPlacementAsJson_ForScripts()
    {
        var path = WriteFile("cib.xml", TwoNodeCib);

        var (code, output, _) = Run("simulate", "--xml", path, "--output", "json", "-t", "2014-05-07 00:28:00");

        Assert.That(code, Is.Zero);
        using var json = JsonDocument.Parse(output);
        var row = json.RootElement.GetProperty("placement").EnumerateArray().Single();
        Assert.That(
            (row.GetProperty("key").GetString(), row.GetProperty("role").GetString(), row.GetProperty("node").GetString()),
            Is.EqualTo(("rsc1", "Started", "node1")));
        Assert.That(json.RootElement.GetProperty("now").GetDateTimeOffset(),
            Is.EqualTo(new DateTimeOffset(2014, 5, 7, 0, 28, 0, TimeSpan.Zero)));
    }
}
