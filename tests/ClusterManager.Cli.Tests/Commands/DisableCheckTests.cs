using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Tests.Support;

namespace ClusterManager.Cli.Tests.Commands;

/// <summary>
/// <c>resource disable --simulate / --safe [--no-strict]</c> and <c>resource safe-disable</c> (pcs), on CIB files
/// (<c>-f</c>) whose status has A and B running on n1 and C on n2: B is colocated with A, C must not be with A and
/// prefers n1 by 100, below or above the stickiness.
/// </summary>
public sealed class DisableCheckTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("hactl-disable-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string Cib(int stickiness)
    {
        var path = Path.Combine(_directory, "cib.xml");
        File.WriteAllText(path, $"""
            <cib validate-with="pacemaker-3.7" epoch="5" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
              <configuration>
                <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <rsc_defaults><meta_attributes id="rsc-options"><nvpair id="s1" name="resource-stickiness" value="{stickiness}"/></meta_attributes></rsc_defaults>
                <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources>
                  <primitive id="A" class="ocf" provider="heartbeat" type="Dummy"/>
                  <primitive id="B" class="ocf" provider="heartbeat" type="Dummy"/>
                  <primitive id="C" class="ocf" provider="heartbeat" type="Dummy"/>
                </resources>
                <constraints>
                  <rsc_colocation id="c1" rsc="B" with-rsc="A" score="INFINITY"/>
                  <rsc_location id="l1" rsc="C" node="n1" score="100"/>
                  <rsc_colocation id="c2" rsc="C" with-rsc="A" score="-INFINITY"/>
                </constraints>
              </configuration>
              <status>
                <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="n1"><lrm_resources>
                    <lrm_resource id="A" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="A_last_0" operation_key="A_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x" on_node="n1"/></lrm_resource>
                    <lrm_resource id="B" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="B_last_0" operation_key="B_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:x" on_node="n1"/></lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
                <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="n2"><lrm_resources>
                    <lrm_resource id="C" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="C_last_0" operation_key="C_start_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0" transition-key="3:1:0:x" on_node="n2"/></lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
              </status>
            </cib>
            """);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => HactlRun.Run(args);

    [Test]
    public void Simulate_PrintsTheTransition_AndChangesNothing()
    {
        var file = Cib(stickiness: 1000);
        var before = File.ReadAllText(file);

        var (code, output, _) = Run("-f", file, "resource", "disable", "A", "--simulate");

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.StartWith("Transition Summary:\n"));
        Assert.That(output, Does.Match(@"Stop\s+A\s+\(\s+n1 \)").And.Match(@"Stop\s+B\s+\(\s+n1 \)"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(before));
    }

    [TestCase(1000, "B\n")]
    [TestCase(50, "B\nC\n")]
    public void SimulateBrief_ListsTheOtherResourcesAffected(int stickiness, string expected)
    {
        var file = Cib(stickiness);

        var (code, output, _) = Run("-f", file, "resource", "disable", "A", "--simulate", "--brief");

        Assert.That((code, output), Is.EqualTo((0, expected)));
    }

    [TestCase("--safe")]
    [TestCase("--safe", "--no-strict")]
    public void Safe_RefusesAndChangesNothing_WhenAnotherResourceWouldStop(params string[] options)
    {
        var file = Cib(stickiness: 1000);
        var before = File.ReadAllText(file);

        var (code, _, error) = Run(["-f", file, "resource", "disable", "A", .. options, "--brief"]);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.StartWith("error: disabling 'A' would").And.Contain("other resources: 'B'; nothing was changed"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(before));
    }

    [Test]
    public void SafeNoStrict_AllowsAMove_WhereStrictRefuses()
    {
        // Stickiness 50 < C's preference for n1 (100): once A and B are stopped, C moves to n1.
        var strictFile = Cib(stickiness: 50);
        var strict = Run("-f", strictFile, "resource", "disable", "A", "B", "--safe", "--brief");
        var noStrictFile = Cib(stickiness: 50);
        var noStrict = Run("-f", noStrictFile, "resource", "disable", "A", "B", "--safe", "--no-strict");

        Assert.That(strict.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(strict.Err, Does.Contain("other resources: 'C'"));
        Assert.That(noStrict.Code, Is.Zero, noStrict.Err);
        Assert.That(File.ReadAllText(noStrictFile), Does.Contain("name=\"target-role\" value=\"Stopped\""));
    }

    [Test]
    public void SafeDisable_Applies_OnceNothingElseIsAffected()
    {
        var file = Cib(stickiness: 1000);

        var refused = Run("-f", file, "resource", "safe-disable", "A", "--brief");
        var b = Run("-f", file, "resource", "safe-disable", "B");
        // B is already being stopped (its target-role), so stopping A no longer affects anything else.
        var a = Run("-f", file, "resource", "safe-disable", "A");

        Assert.That(refused.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That((b.Code, b.Err), Is.EqualTo((0, "")));
        Assert.That((a.Code, a.Err), Is.EqualTo((0, "")));
        Assert.That(File.ReadAllText(file).Split("name=\"target-role\" value=\"Stopped\"").Length - 1, Is.EqualTo(2));
    }

    [Test]
    public void SafeDisable_SkipsTheCheck_WithForce()
    {
        var file = Cib(stickiness: 1000);

        var (code, _, error) = Run("-f", file, "resource", "safe-disable", "A", "--force");

        Assert.That((code, error), Is.EqualTo((0, "")));
        Assert.That(File.ReadAllText(file), Does.Contain("name=\"target-role\" value=\"Stopped\""));
    }

    [TestCase("--brief", "--brief needs --safe or --simulate")]
    [TestCase("--no-strict", "--no-strict needs --safe")]
    [TestCase("--simulate --safe", "--simulate and --safe cannot be used together")]
    public void Options_AreRefused_WhenInconsistent(string options, string message)
    {
        var file = Cib(stickiness: 1000);

        var (code, _, error) = Run(["-f", file, "resource", "disable", "A", .. options.Split(' ')]);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain(message));
    }
}
