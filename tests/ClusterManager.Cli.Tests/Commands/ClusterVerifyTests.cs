using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Tests.Support;

namespace ClusterManager.Cli.Tests.Commands;

/// <summary><c>hactl cluster verify [-V] [FILE]</c> (pcs cluster verify / crm_verify) on CIB files.</summary>
public sealed class ClusterVerifyTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("hactl-verify-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string Cib(string stonith, string withRsc)
    {
        var path = Path.Combine(_directory, "cib.xml");
        File.WriteAllText(path, $"""
            <cib validate-with="pacemaker-3.7" epoch="7" num_updates="0" admin_epoch="0" have-quorum="1">
              <configuration>
                <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="{stonith}"/></cluster_property_set></crm_config>
                <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources>
                  <primitive id="A" class="ocf" provider="heartbeat" type="Dummy"/>
                  <primitive id="B" class="ocf" provider="heartbeat" type="Dummy"/>
                </resources>
                <constraints><rsc_colocation id="c1" rsc="B" with-rsc="{withRsc}" score="INFINITY"/></constraints>
              </configuration>
              <status>
                <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
                <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
              </status>
            </cib>
            """);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => HactlRun.Run(args);

    [Test]
    public void Verify_PrintsNothing_WhenTheConfigurationIsValid()
    {
        var file = Cib("false", "A");

        var quiet = Run("cluster", "verify", file);
        var verbose = Run("-f", file, "cluster", "verify", "-V");

        Assert.That(quiet, Is.EqualTo((0, "", "")));
        Assert.That(verbose.Code, Is.Zero);
        Assert.That(verbose.Out, Is.EqualTo("Checked the cluster's configuration (epoch 7): 2 primitives, 1 constraints, 2 nodes: 0 errors, 0 warnings\n"));
    }

    [Test]
    public void Verify_NamesEveryProblem_AndFails_WhenThereIsAnError()
    {
        var file = Cib("true", "Nope");

        var (code, output, error) = Run("cluster", "verify", file);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(output, Does.Contain("error: /cib/configuration/constraints/rsc_colocation[@id='c1']: rsc_colocation 'c1': with-rsc 'Nope' names no resource\n")
            .And.Contain("warning: No stonith devices and stonith-enabled is not false\n"));
        Assert.That(error, Is.EqualTo("error: the configuration is not valid (errors above)\n"));
    }

    [Test]
    public void Verify_WarnsButPasses_WhenOnlyFencingIsMissing()
    {
        var file = Cib("true", "A");

        var (code, output, _) = Run("cluster", "verify", file);

        Assert.That((code, output), Is.EqualTo((0, "warning: No stonith devices and stonith-enabled is not false\n")));
    }

    [Test]
    public void Verify_WritesJson_WithOutputJson()
    {
        var file = Cib("true", "Nope");

        var (code, output, _) = Run("cluster", "verify", "--output", "json", file);

        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(json.RootElement.GetProperty("valid").GetBoolean(), Is.False);
        Assert.That(json.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()), Has.One.Contains("with-rsc 'Nope' names no resource"));
        Assert.That(json.RootElement.GetProperty("warnings").EnumerateArray().Select(e => e.GetString()), Has.Member("No stonith devices and stonith-enabled is not false"));
    }

    [Test]
    public void Verify_RefusesAMissingFile()
    {
        var (code, _, error) = Run("cluster", "verify", Path.Combine(_directory, "none.xml"));

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("none.xml: no such file"));
    }
}
