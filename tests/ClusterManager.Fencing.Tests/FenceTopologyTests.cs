using System.Collections.Immutable;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Fencing.Tests;

public class FenceTopologyTests
{
    private static FencingLevel Level(string id, int index, string? target = null, string? pattern = null,
        string? attribute = null, string? value = null, params string[] devices) =>
        new(id, index, target is null ? null : new NodeName(target), pattern, attribute, value, [.. devices.Select(d => new ResourceId(d))]);

    private static FencingConfiguration Config(params FencingLevel[] levels) =>
        FencingConfiguration.Empty with
        {
            Devices = [.. new[] { "a", "b", "c", "d" }.Select(id => FenceDeviceTests.Device(id))],
            Levels = [.. levels],
            NodeAttributes = ImmutableDictionary<NodeName, ImmutableDictionary<string, string>>.Empty
                .Add(new NodeName("web1"), ImmutableDictionary<string, string>.Empty.Add("rack", "r1")),
        };

    [Test]
    public void LevelsFor_OrdersByIndex_WhateverConfigurationOrder()
    {
        var levels = FenceTopology.LevelsFor(new NodeName("node1"),
            Config(Level("l3", 3, "node1", devices: "c"), Level("l1", 1, "node1", devices: ["a", "b"]), Level("l2", 2, "node1", devices: "d")));

        Assert.That(levels.Select(l => l.Index), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(levels[0].Devices, Is.EqualTo(new[] { new ResourceId("a"), new ResourceId("b") }));
    }

    [Test]
    public void LevelsFor_IsEmpty_WhenNoLevelNamesNode() =>
        Assert.That(FenceTopology.LevelsFor(new NodeName("node9"), Config(Level("l1", 1, "node1", devices: "a"))), Is.Empty);

    [Test]
    public void LevelsFor_PrefersExactTarget_OverPattern()
    {
        var config = Config(Level("p1", 1, pattern: "node[0-9]", devices: "a"), Level("n1", 1, "node1", devices: "b"));

        Assert.That(FenceTopology.LevelsFor(new NodeName("node1"), config).Single().Devices.Single(), Is.EqualTo(new ResourceId("b")));
        Assert.That(FenceTopology.LevelsFor(new NodeName("node2"), config).Single().Devices.Single(), Is.EqualTo(new ResourceId("a")));
    }

    [Test]
    public void LevelsFor_MatchesNodeAttribute_WhenTargetAttributeGiven()
    {
        var config = Config(Level("r", 2, attribute: "rack", value: "r1", devices: "c"));

        Assert.That(FenceTopology.LevelsFor(new NodeName("web1"), config).Single().Index, Is.EqualTo(2));
        Assert.That(FenceTopology.LevelsFor(new NodeName("web2"), config), Is.Empty);
    }

    [TestCase(0, "index 0 is not in 1-9")]
    [TestCase(10, "index 10 is not in 1-9")]
    public void Validate_Throws_WhenIndexOutOfRange(int index, string expected) =>
        Assert.That(() => FencingConfiguration.Validate(Config(Level("bad", index, "node1", devices: "a"))),
            Throws.TypeOf<FormatException>().With.Message.Contains("'bad'").And.Message.Contains(expected));

    [Test]
    public void Validate_Throws_WhenLevelNamesUnknownDevice() =>
        Assert.That(() => FencingConfiguration.Validate(Config(Level("l1", 1, "node1", devices: "ghost"))),
            Throws.TypeOf<FormatException>().With.Message.Contains("'ghost', which is not configured"));

    [Test]
    public void FromCluster_ReadsDevicesLevelsAndProperties()
    {
        var device = new PrimitiveConfig(new ResourceId("ipmi1"), "stonith", null, "fence_ipmilan",
            [NvSet.Of("ia", ("ip", "198.18.0.2"), ("pcmk_host_list", "node1"))], [], [], []);
        var other = new PrimitiveConfig(new ResourceId("vip"), "ocf", "heartbeat", "IPaddr2", [], [], [], []);
        var configuration = ClusterConfiguration.Empty with
        {
            Properties = [NvSet.Of("opts", ("stonith-timeout", "90s"), ("stonith-action", "off"))],
            Resources = [device, new GroupConfig(new ResourceId("g"), [], [other])],
            FencingTopology = [Level("l1", 1, "node1", devices: "ipmi1")],
        };

        var fencing = FencingConfiguration.FromCluster(configuration);

        Assert.That(fencing.Devices.Select(d => d.Id.Value), Is.EqualTo(new[] { "ipmi1" }));
        Assert.That(fencing.DefaultTimeout, Is.EqualTo(TimeSpan.FromSeconds(90)));
        Assert.That(fencing.DefaultAction, Is.EqualTo(FenceAction.Off));
        Assert.That(fencing.Levels, Has.Length.EqualTo(1));
    }

    [Test]
    public void CanFenceStatically_AnswersFromHostListOrNeedsQuery()
    {
        var node1 = new NodeName("node1");

        Assert.That(Fencer.CanFenceStatically(FenceDeviceTests.Device("d", ("pcmk_host_list", "node1 node2")), node1), Is.True);
        Assert.That(Fencer.CanFenceStatically(FenceDeviceTests.Device("d", ("pcmk_host_map", "node2:2")), node1), Is.False);
        Assert.That(Fencer.CanFenceStatically(FenceDeviceTests.Device("d", ("pcmk_host_check", "none")), node1), Is.True);
        Assert.That(Fencer.CanFenceStatically(FenceDeviceTests.Device("d", ("pcmk_host_check", "static-list")), node1), Is.False);
        Assert.That(Fencer.CanFenceStatically(FenceDeviceTests.Device("d"), node1), Is.Null);
        Assert.That(Fencer.CanFenceStatically(FenceDeviceTests.Device("d", ("pcmk_host_check", "dynamic-list")), node1), Is.Null);
    }

    [Test]
    public void Warnings_NameIpmiDeviceWithoutHostList()
    {
        var config = FencingConfiguration.Empty with
        {
            Devices =
            [
                FenceDevice.Create(new ResourceId("bare"), "fence_ipmilan", new Dictionary<string, string> { ["ip"] = "198.18.0.2" }),
                FenceDevice.Create(new ResourceId("listed"), "fence_cm_ipmi", new Dictionary<string, string> { ["pcmk_host_list"] = "node1" }),
                FenceDevice.Create(new ResourceId("virt"), "fence_cm_virsh", new Dictionary<string, string>()),
            ],
        };

        Assert.That(config.Warnings(), Has.Length.EqualTo(1).And.Some.Contains("'bare' (fence_ipmilan)"));
    }
}
