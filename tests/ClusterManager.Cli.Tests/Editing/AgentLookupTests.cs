using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Tests.Editing;

/// <summary>Against the agents installed on this machine (deploy/deps/cli.packages: resource-agents, pacemaker-resource-agents, fence-agents).</summary>
public class AgentLookupTests
{
    private static readonly AgentLookup Lookup = new("/usr/lib/ocf", ["/usr/sbin"], TimeProvider.System);

    [Test]
    public void Resolve_DeducesTheFullName_OfAnUnambiguousType()
    {
        var (name, note) = Lookup.Resolve("IPaddr2", stonith: false);

        Assert.That(name, Is.EqualTo(new AgentName("ocf", "heartbeat", "IPaddr2")));
        Assert.That(note, Is.EqualTo("Assumed agent name 'ocf:heartbeat:IPaddr2' (deduced from 'IPaddr2')"));
    }

    [TestCase("NoSuchAgent", "unable to find agent 'NoSuchAgent'")]
    [TestCase("Dummy", "multiple agents match 'Dummy'")]
    [TestCase("stonith:fence_dummy", "is a fence agent: use 'hactl stonith create'")]
    public void Resolve_RefusesUnknownAmbiguousOrFenceAgents(string text, string message)
    {
        var error = Assert.Throws<UsageException>(() => Lookup.Resolve(text, stonith: false));

        Assert.That(error!.Message, Does.Contain(message));
    }

    [TestCase("fence_dummy")]
    [TestCase("stonith:fence_dummy")]
    public void Resolve_TakesFenceAgentNames_ForStonith(string text) =>
        Assert.That(Lookup.Resolve(text, stonith: true).Name, Is.EqualTo(new AgentName("stonith", null, "fence_dummy")));

    [Test]
    public async Task DescribeAsync_ReadsOcfMetadata()
    {
        var info = await Lookup.DescribeAsync(new AgentName("ocf", "heartbeat", "IPaddr2"), CancellationToken.None);

        Assert.That(info, Is.Not.Null);
        Assert.That(info!.Parameters, Does.Contain("ip").And.Contain("cidr_netmask"));
        Assert.That(info.Required, Is.EqualTo(new[] { "ip" }));
        Assert.That(info.Timeouts["start"], Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(info.MonitorInterval, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task DescribeAsync_ReadsFenceAgentMetadata()
    {
        var info = await Lookup.DescribeAsync(new AgentName("stonith", null, "fence_dummy"), CancellationToken.None);

        Assert.That(info, Is.Not.Null);
        Assert.That(info!.Parameters, Does.Contain("type").And.Contain("status_file"));
    }

    [TestCase("ocf", "heartbeat", "NoSuchAgent")]
    [TestCase("systemd", null, "haproxy")]
    [TestCase("stonith", null, "fence_nonexistent")]
    public async Task DescribeAsync_IsNull_WhenNoMetadataIsReadable(string standard, string? provider, string type) =>
        Assert.That(await Lookup.DescribeAsync(new AgentName(standard, provider, type), CancellationToken.None), Is.Null);
}
