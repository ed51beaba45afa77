using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Commands.Stonith;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cli.Tests.Stonith;

public sealed class FencingCoverageTests
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];

    private static PrimitiveConfig Device(string id, params (string Name, string Value)[] parameters) =>
        new(new ResourceId(id), "stonith", null, "fence_virsh", [NvSet.Of($"{id}-ia", parameters)], [], [], []);

    private static ClusterConfiguration With(params PrimitiveConfig[] devices) => ClusterConfiguration.Empty with { Resources = [.. devices] };

    [Test]
    public void Warnings_NamesTheUncoveredNode_WhenStaticListsMissIt()
    {
        var warnings = FencingCoverage.Warnings(With(Device("f12", ("pcmk_host_list", "n1 n2"))), Nodes, unverifiable: false);

        Assert.That(warnings, Is.EqualTo(new[] { "Node n3 cannot be fenced: no stonith device lists it in pcmk_host_list or pcmk_host_map and no fencing level targets it" }));
    }

    [Test]
    public void Warnings_None_WhenHostMapAndListCoverEveryNode()
    {
        var configuration = With(Device("f1", ("pcmk_host_list", "n1")), Device("f23", ("pcmk_host_map", "n2:vm2;n3:vm3")));

        Assert.That(FencingCoverage.Warnings(configuration, Nodes, unverifiable: true), Is.Empty);
    }

    [TestCase("dynamic-list")]
    [TestCase("status")]
    public void Warnings_SaysCannotVerify_WhenTheDeviceAsksItsAgent(string check)
    {
        var warnings = FencingCoverage.Warnings(With(Device("fv", ("pcmk_host_check", check))), ["n1"], unverifiable: true);

        Assert.That(warnings.Single(), Does.StartWith("Node n1: cannot verify that it can be fenced: stonith device(s) fv ask their agent"));
    }

    [Test]
    public void Warnings_SaysCannotVerify_WhenNoCheckAndNoList()
    {
        Assert.That(FencingCoverage.Warnings(With(Device("fv")), ["n1"], unverifiable: true).Single(), Does.Contain("cannot verify"));
    }

    [Test]
    public void Warnings_None_WhenUnverifiableNotAsked()
    {
        Assert.That(FencingCoverage.Warnings(With(Device("fv", ("pcmk_host_check", "dynamic-list"))), ["n1"], unverifiable: false), Is.Empty);
    }

    [Test]
    public void Warnings_None_WhenAFencingLevelTargetsTheNode()
    {
        var configuration = With(Device("f12", ("pcmk_host_list", "n1 n2"))) with
        {
            FencingTopology = [new FencingLevel("fl", 1, null, "n3", null, null, [new ResourceId("f12")])],
        };

        Assert.That(FencingCoverage.Warnings(configuration, Nodes, unverifiable: true), Is.Empty);
    }

    [Test]
    public void Warnings_None_WhenHostCheckIsNone()
    {
        Assert.That(FencingCoverage.Warnings(With(Device("any", ("pcmk_host_check", "none"))), Nodes, unverifiable: true), Is.Empty);
    }

    [TestCase("false")]
    [TestCase(null)]
    public void Warnings_None_WhenFencingDisabledOrNoDevice(string? enabled)
    {
        var configuration = enabled is null
            ? ClusterConfiguration.Empty
            : With(Device("f1", ("pcmk_host_list", "n1"))) with { Properties = [NvSet.Of("cib-bootstrap-options", ("stonith-enabled", enabled))] };

        Assert.That(FencingCoverage.Warnings(configuration, Nodes, unverifiable: true), Is.Empty);
    }

    [TestCase("n1", "n1", null, null, null)]
    [TestCase("regexp%n[0-9]", null, "n[0-9]", null, null)]
    [TestCase("attrib%rack=r1", null, null, "rack", "r1")]
    public void LevelTargetParse_GivesTheForm_WhenPcsSyntax(string text, string? node, string? pattern, string? attribute, string? value)
    {
        var target = StonithCommands.LevelTarget.Parse(text);

        Assert.That((target.Node, target.Pattern, target.Attribute, target.Value), Is.EqualTo((node, pattern, attribute, value)));
        Assert.That(target.ToString(), Is.EqualTo(text));
    }

    [TestCase("regexp%")]
    [TestCase("attrib%rack")]
    public void LevelTargetParse_Throws_WhenFormIncomplete(string text)
    {
        Assert.That(() => StonithCommands.LevelTarget.Parse(text), Throws.TypeOf<UsageException>());
    }

    [Test]
    public void VerifyLevels_NamesMissingDevicesAndNodes_WhenLevelsAreStale()
    {
        var configuration = With(Device("f1", ("pcmk_host_list", "n1"))) with
        {
            FencingTopology =
            [
                new FencingLevel("a", 1, new NodeName("n1"), null, null, null, [new ResourceId("f1"), new ResourceId("gone")]),
                new FencingLevel("b", 1, new NodeName("n7"), null, null, null, [new ResourceId("f1")]),
            ],
        };

        var problems = StonithCommands.VerifyLevels(configuration, ["n1", "n2"]);

        Assert.That(problems, Is.EqualTo(new[] { "Stonith resource(s) 'gone' do not exist", "Node 'n7' does not appear to exist in configuration" }));
    }
}
