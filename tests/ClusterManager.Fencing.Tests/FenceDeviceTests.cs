using ClusterManager.Model;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Fencing.Tests;

public class FenceDeviceTests
{
    internal static FenceDevice Device(string id, params (string Name, string Value)[] parameters) =>
        FenceDevice.Create(new ResourceId(id), "fence_test", parameters.ToDictionary(p => p.Name, p => p.Value));

    [Test]
    public void Create_SeparatesPacemakerParameters_FromAgentParameters()
    {
        var device = Device("ipmi1",
            ("ip", "198.18.0.2"), ("username", "admin"), ("pcmk_host_list", "node1"), ("pcmk_off_timeout", "30s"),
            ("pcmk_reboot_retries", "4"), ("pcmk_reboot_action", "off"), ("pcmk_host_check", "static-list"),
            ("pcmk_delay_max", "5"), ("pcmk_delay_base", "node1:2s"), ("action", "reboot"), ("CRM_meta_timeout", "20000"));

        Assert.That(device.Parameters.Keys, Is.EqualTo(new[] { "ip", "username" }));
        Assert.That(device.HostList, Is.EqualTo(new[] { "node1" }));
        Assert.That(device.ConfiguredHostCheck, Is.EqualTo(HostCheck.StaticList));
        Assert.That(device.TimeoutFor("off", TimeSpan.FromSeconds(60)), Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(device.TimeoutFor("reboot", TimeSpan.FromSeconds(60)), Is.EqualTo(TimeSpan.FromSeconds(60)));
        Assert.That(device.AttemptsFor("reboot"), Is.EqualTo(4));
        Assert.That(device.AttemptsFor("off"), Is.EqualTo(FenceDevice.DefaultRetries));
        Assert.That(device.AgentActionFor("reboot"), Is.EqualTo("off"));
        Assert.That(device.AgentActionFor("off"), Is.EqualTo("off"));
        Assert.That(device.DelayMax, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(device.DelayBaseFor(new NodeName("node1")), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(device.DelayBaseFor(new NodeName("node2")), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase("0", 1)]
    [TestCase("1", 1)]
    [TestCase("5", 5)]
    public void AttemptsFor_IsAtLeastOne_WhatEverRetries(string retries, int attempts) =>
        Assert.That(Device("d", ("pcmk_off_retries", retries)).AttemptsFor("off"), Is.EqualTo(attempts));

    [TestCase(false, false, false, HostCheck.None)]
    [TestCase(false, false, true, HostCheck.Status)]
    [TestCase(false, true, true, HostCheck.DynamicList)]
    [TestCase(true, true, true, HostCheck.StaticList)]
    public void EffectiveHostCheck_FollowsPacemakerDefaults(bool hasHostList, bool agentHasList, bool agentHasStatus, HostCheck expected)
    {
        var device = hasHostList ? Device("d", ("pcmk_host_list", "node1")) : Device("d");

        Assert.That(device.EffectiveHostCheck(agentHasList, agentHasStatus), Is.EqualTo(expected));
    }

    [Test]
    public void EffectiveHostCheck_IsConfiguredValue_WhenSet() =>
        Assert.That(Device("d", ("pcmk_host_list", "n1"), ("pcmk_host_check", "none")).EffectiveHostCheck(true, true),
            Is.EqualTo(HostCheck.None));

    [Test]
    public void PortFor_UsesHostMap_ElseNodeName()
    {
        var device = Device("d", ("pcmk_host_map", "node1:vm-one"));

        Assert.That(device.PortFor(new NodeName("node1")), Is.EqualTo("vm-one"));
        Assert.That(device.PortFor(new NodeName("node2")), Is.EqualTo("node2"));
    }

    [TestCase("pcmk_host_check", "sometimes", "pcmk_host_check 'sometimes'")]
    [TestCase("pcmk_off_timeout", "forever", "pcmk_off_timeout: 'forever'")]
    [TestCase("pcmk_reboot_retries", "-1", "pcmk_reboot_retries '-1'")]
    [TestCase("pcmk_off_timeout", "0", "must be longer than zero")]
    [TestCase("pcmk_host_map", "node1", "pcmk_host_map")]
    [TestCase("pcmk_delay_max", "x", "pcmk_delay_max")]
    [TestCase("pcmk_host_argument", "a b", "pcmk_host_argument")]
    [TestCase("ip", "198.18.0.1\naction=on", "contains a newline")]
    [TestCase("bad name", "x", "parameter name 'bad name'")]
    public void Create_Throws_NamingDeviceAndParameter_WhenValueBad(string name, string value, string expected) =>
        Assert.That(() => Device("ipmi9", (name, value)),
            Throws.TypeOf<FormatException>().With.Message.Contains("'ipmi9'").And.Message.Contains(expected));

    [TestCase("fence_ipmilan;rm")]
    [TestCase("../fence_x")]
    [TestCase("ipmilan")]
    public void Create_Throws_WhenAgentNameIsNotAFenceAgent(string agent) =>
        Assert.That(() => FenceDevice.Create(new ResourceId("d"), agent, new Dictionary<string, string>()),
            Throws.TypeOf<FormatException>().With.Message.Contains("not a fence agent name"));

    [Test]
    public void FromPrimitive_Throws_WhenNotStonithClass()
    {
        var primitive = new PrimitiveConfig(new ResourceId("ip"), "ocf", "heartbeat", "IPaddr2", [], [], [], []);

        Assert.That(() => FenceDevice.FromPrimitive(primitive), Throws.TypeOf<FormatException>().With.Message.Contains("not a stonith device"));
    }

    [Test]
    public void FromPrimitive_TakesHigherScoredSet_AndPriorityMeta()
    {
        var primitive = new PrimitiveConfig(new ResourceId("d"), "stonith", null, "fence_ipmilan",
            [new NvSet("low", 1, null, [new NvPair("l1", "ip", "198.18.0.1")]),
             new NvSet("high", 10, null, [new NvPair("h1", "ip", "198.18.0.2")])],
            [NvSet.Of("meta", ("priority", "7"))], [], []);

        var device = FenceDevice.FromPrimitive(primitive);

        Assert.That(device.Parameters["ip"], Is.EqualTo("198.18.0.2"));
        Assert.That(device.Priority, Is.EqualTo(7));
        Assert.That(device.Agent, Is.EqualTo("fence_ipmilan"));
    }
}
