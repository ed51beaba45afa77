using ClusterManager.Fencing.Agents;
using ClusterManager.Fencing.Lab;

namespace ClusterManager.Fencing.Tests;

public class FenceAgentMetadataTests
{
    [TestCase("/usr/sbin/fence_ipmilan", "fence_ipmilan", false)]
    [TestCase("/usr/sbin/fence_virsh", "fence_virsh", true)]
    [TestCase("fencing-agents/fence_cm_ipmi", "fence_cm_ipmi", false)]
    [TestCase("fencing-agents/fence_cm_virsh", "fence_cm_virsh", true)]
    public void Parse_ReadsRealAgentMetadata(string path, string name, bool hasList)
    {
        var full = path.StartsWith('/') ? path : Path.Combine(Shell.RepositoryRoot(), path);
        var xml = Shell.Run(full, "-o", "metadata");

        var metadata = FenceAgentMetadata.Parse(xml);

        Assert.That(metadata.Name, Is.EqualTo(name));
        Assert.That(metadata.HasAction("list"), Is.EqualTo(hasList));
        Assert.That(metadata.HasAction("status") && metadata.HasAction("reboot") && metadata.HasAction("off"), Is.True);
        Assert.That(metadata.HasParameter("port"), Is.True);
        Assert.That(metadata.Actions.Single(a => a.Name == "on").Automatic, Is.False);
    }

    [TestCase("not xml", "not XML")]
    [TestCase("<other/>", "not <resource-agent>")]
    [TestCase("<resource-agent/>", "has no name")]
    public void Parse_Throws_WhenNotAgentMetadata(string xml, string expected) =>
        Assert.That(() => FenceAgentMetadata.Parse(xml), Throws.TypeOf<FormatException>().With.Message.Contains(expected));
}
