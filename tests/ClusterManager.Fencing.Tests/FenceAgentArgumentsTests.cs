using ClusterManager.Fencing.Agents;
using ClusterManager.Model;

namespace ClusterManager.Fencing.Tests;

public class FenceAgentArgumentsTests
{
    private static string Stdin(FenceDevice device, string action, string? target) =>
        FenceAgentArguments.Format(FenceAgentArguments.Build(device, action, target is null ? null : new NodeName(target)));

    [Test]
    public void Build_WritesActionNodenamePortPlugThenParameters_LikePacemaker()
    {
        var device = FenceDeviceTests.Device("d", ("ip", "198.18.0.2"), ("cipher", "3"), ("pcmk_host_list", "node2"));

        Assert.That(Stdin(device, "reboot", "node2"),
            Is.EqualTo("action=reboot\nnodename=node2\nport=node2\nplug=node2\ncipher=3\nip=198.18.0.2\n"));
    }

    [Test]
    public void Build_PassesMappedPort_WhenHostMapHasTarget() =>
        Assert.That(Stdin(FenceDeviceTests.Device("d", ("pcmk_host_map", "node1:vm1")), "off", "node1"),
            Is.EqualTo("action=off\nnodename=node1\nport=vm1\nplug=vm1\n"));

    [Test]
    public void Build_PassesOnlyConfiguredHostArgument_WhenPcmkHostArgumentSet() =>
        Assert.That(Stdin(FenceDeviceTests.Device("d", ("pcmk_host_argument", "domain")), "off", "node1"),
            Is.EqualTo("action=off\nnodename=node1\ndomain=node1\n"));

    [Test]
    public void Build_PassesNoHostArgument_WhenPcmkHostArgumentNone() =>
        Assert.That(Stdin(FenceDeviceTests.Device("d", ("pcmk_host_argument", "none")), "off", "node1"),
            Is.EqualTo("action=off\nnodename=node1\n"));

    [Test]
    public void Build_KeepsDeviceValue_WhenDeviceSetsPortItself() =>
        Assert.That(Stdin(FenceDeviceTests.Device("d", ("port", "fixed")), "off", "node1"),
            Is.EqualTo("action=off\nnodename=node1\nplug=node1\nport=fixed\n"));

    [Test]
    public void Build_OmitsTargetArguments_WhenNoTarget() =>
        Assert.That(Stdin(FenceDeviceTests.Device("d", ("ip", "x")), "list", null), Is.EqualTo("action=list\nip=x\n"));

    [TestCase("ip", "a\nb", "contains a newline")]
    [TestCase("bad name", "x", "parameter name 'bad name'")]
    public void Build_Throws_WhenArgumentCannotBeOneLine(string name, string value, string expected)
    {
        // FenceDevice.Create refuses these already; Build is the last line of defence.
        var device = FenceDeviceTests.Device("dev7") with
        {
            Parameters = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add(name, value),
        };

        Assert.That(() => FenceAgentArguments.Build(device, "off", null),
            Throws.ArgumentException.With.Message.Contains("dev7").And.Message.Contains(expected));
    }
}
