using ClusterManager.Agents.IpAddr;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Agents.Tests.IpAddr;

/// <summary>
/// The native IPaddr2 and Debian's heartbeat IPaddr2 script, run for real against network namespaces
/// <c>a</c>, <c>b</c> (holders) and <c>c</c> (an observer) on one bridge, addresses in 198.18.0.0/15.
/// </summary>
[NonParallelizable]
public sealed class IpAddr2NamespaceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private NetnsLab _lab = null!;
    private string _vip = null!;
    private NativeIpAddr2Agent _native = null!;
    private OcfScriptAgent _heartbeat = null!;

    public enum Kind
    {
        Native,
        Heartbeat,
    }

    [OneTimeSetUp]
    public void CreateLab()
    {
        _lab = NetnsLab.Create('a', 'b', 'c');
        _vip = _lab.Address(100);
        _native = new NativeIpAddr2Agent(TimeProvider.System, NullLogger<NativeIpAddr2Agent>.Instance);
        _heartbeat = new OcfScriptAgent(new OcfOptions(), TimeProvider.System);
    }

    [OneTimeTearDown]
    public void RemoveLab() => _lab.Dispose();

    [TearDown]
    public async Task RemoveVip()
    {
        // Stopping through the agents also ends their announcements still in flight (send_arp, the native
        // background task), which would otherwise teach the observer a stale address in the next test.
        foreach (var kind in new[] { Kind.Native, Kind.Heartbeat })
        {
            foreach (var node in "ab")
            {
                await Agent(kind).ExecuteAsync(Request(kind, node).WithAction("stop"), CancellationToken.None);
            }
        }

        foreach (var node in "abc")
        {
            if (_lab.HasAddress(node, _vip))
            {
                NetnsLab.Run("ip", "-n", _lab.Node(node), "addr", "del", _vip + "/24", "dev", "eth0");
            }

            NetnsLab.Run("ip", "-n", _lab.Node(node), "link", "set", "eth0", "up");
            NetnsLab.Run("ip", "-n", _lab.Node(node), "neigh", "flush", "dev", "eth0");
        }
    }

    [TestCase(Kind.Native)]
    [TestCase(Kind.Heartbeat)]
    public async Task ExecuteAsync_AddsMonitorsAndRemovesAddress_InNamespace(Kind kind)
    {
        var agent = Agent(kind);
        var request = Request(kind, 'a');
        var seen = new List<(string, OcfExitCode)>();
        var presentAfterStart = false;
        foreach (var action in new[] { "monitor", "start", "monitor", "start", "stop", "monitor", "stop" })
        {
            var result = await agent.ExecuteAsync(request.WithAction(action), CancellationToken.None);
            seen.Add((action, result.Rc));
            presentAfterStart |= action == "start" && _lab.HasAddress('a', _vip);
        }

        Assert.That(seen, Is.EqualTo(new[]
        {
            ("monitor", OcfExitCode.NotRunning), ("start", OcfExitCode.Success), ("monitor", OcfExitCode.Success),
            ("start", OcfExitCode.Success), ("stop", OcfExitCode.Success), ("monitor", OcfExitCode.NotRunning),
            ("stop", OcfExitCode.Success),
        }));
        Assert.That(presentAfterStart, Is.True);
        Assert.That(_lab.HasAddress('a', _vip), Is.False);
    }

    [TestCase(Kind.Native)]
    [TestCase(Kind.Heartbeat)]
    public async Task ExecuteAsync_MovesObserverNeighbourEntry_WhenAddressMovesToOtherNode(Kind kind)
    {
        var agent = Agent(kind);
        Assert.That((await agent.ExecuteAsync(Request(kind, 'a').WithAction("start"), CancellationToken.None)).Rc, Is.EqualTo(OcfExitCode.Success));
        NetnsLab.Run("ip", "netns", "exec", _lab.Node('c'), "ping", "-c", "1", "-W", "5", _vip);
        var before = _lab.NeighbourMac('c', _vip);

        await agent.ExecuteAsync(Request(kind, 'a').WithAction("stop"), CancellationToken.None);
        var start = await agent.ExecuteAsync(Request(kind, 'b').WithAction("start"), CancellationToken.None);
        var macB = _lab.Mac('b');
        var moved = await Processes.EventuallyAsync(() => _lab.NeighbourMac('c', _vip) == macB);

        Assert.That(before, Is.EqualTo(_lab.Mac('a')));
        Assert.That(start.Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(moved, Is.True, $"c still maps {_vip} to {_lab.NeighbourMac('c', _vip)}, b is {macB}");
    }

    [TestCase(Kind.Native)]
    [TestCase(Kind.Heartbeat)]
    public async Task ExecuteAsync_RefusesStart_WhenAnotherHostHoldsAddress(Kind kind)
    {
        NetnsLab.Run("ip", "-n", _lab.Node('c'), "addr", "add", _vip + "/24", "dev", "eth0");
        var request = Request(kind, 'a', ("run_arping", "true"));

        var result = await Agent(kind).ExecuteAsync(request.WithAction("start"), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((OcfExitCode.GenericError, ExecStatus.Done)));
        Assert.That(result.ExitReason, Does.Contain(_vip));
        Assert.That(_lab.HasAddress('a', _vip), Is.False);
    }

    [Test]
    public async Task ExecuteAsync_MonitorFails_WhenLinkGoesDown()
    {
        var agent = Agent(Kind.Native);
        await agent.ExecuteAsync(Request(Kind.Native, 'a').WithAction("start"), CancellationToken.None);
        NetnsLab.Run("ip", "-n", _lab.Node('a'), "link", "set", "eth0", "down");

        var monitor = await agent.ExecuteAsync(Request(Kind.Native, 'a').WithAction("monitor"), CancellationToken.None);

        Assert.That((monitor.Rc, monitor.ExitReason), Is.EqualTo((OcfExitCode.GenericError, $"{_vip} is on eth0, whose link is down")));
    }

    [TestCase("nic", "nosuch0", OcfExitCode.NotConfigured, "nosuch0")]
    [TestCase("ip", "", OcfExitCode.NotConfigured, "mandatory")]
    [TestCase("ip", "198.18.300.1", OcfExitCode.NotConfigured, "not an IPv4 or IPv6 address")]
    [TestCase("cidr_netmask", "33", OcfExitCode.NotConfigured, "cidr_netmask")]
    [TestCase("arp_count", "many", OcfExitCode.NotConfigured, "arp_count")]
    public async Task ExecuteAsync_RejectsStart_WithBadParameter(string name, string value, OcfExitCode rc, string reason)
    {
        var request = Request(Kind.Native, 'a', (name, value));

        var result = await Agent(Kind.Native).ExecuteAsync(request.WithAction("start"), CancellationToken.None);

        Assert.That(result.Rc, Is.EqualTo(rc));
        Assert.That(result.ExitReason, Does.Contain(reason));
    }

    [Test]
    public async Task ExecuteAsync_FindsInterfaceFromRoutes_WhenNicNotGiven()
    {
        var agent = Agent(Kind.Native);
        var request = AgentRequest.Create("cmt-vip", "ocf:clustermanager:IPaddr2", "start", Timeout,
            [new("ip", _vip), new("network_namespace", _lab.Node('a'))]);

        var result = await agent.ExecuteAsync(request, CancellationToken.None);
        var line = NetnsLab.Run("ip", "-n", _lab.Node('a'), "-o", "addr", "show", "dev", "eth0");

        Assert.That(result.Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(line, Does.Contain($" {_vip}/24 "));
    }

    [Test]
    public async Task ExecuteAsync_ManagesIpv6Address_OnNamespaceLoopback()
    {
        // IPv6 stays on the loopback of a lab namespace (the network rule allows loopback traffic only for
        // addresses outside 198.18.0.0/15); the advertisement goes out on that loopback.
        var request = AgentRequest.Create("cmt-vip6", "ocf:clustermanager:IPaddr2", "monitor", Timeout,
            [new("ip", "2001:db8::100"), new("cidr_netmask", "128"), new("nic", "lo"), new("network_namespace", _lab.Node('c'))]);
        var seen = new List<OcfExitCode>();
        var present = false;
        foreach (var action in new[] { "monitor", "start", "monitor", "stop", "monitor" })
        {
            seen.Add((await _native.ExecuteAsync(request.WithAction(action), CancellationToken.None)).Rc);
            present |= action == "start" && NetnsLab.Run("ip", "-n", _lab.Node('c'), "-6", "-o", "addr", "show", "dev", "lo").Contains("2001:db8::100/128", StringComparison.Ordinal);
        }

        Assert.That(seen, Is.EqualTo(new[] { OcfExitCode.NotRunning, OcfExitCode.Success, OcfExitCode.Success, OcfExitCode.Success, OcfExitCode.NotRunning }));
        Assert.That(present, Is.True);
    }

    [Test]
    public async Task Router_UsesNativeAgent_ForHeartbeatIpaddr2WhenScriptMissing()
    {
        using var emptyRoot = new TestOcfRoot();
        var router = new ResourceAgentRouter(new OcfScriptAgent(new OcfOptions { OcfRoot = emptyRoot.Path }, TimeProvider.System), null,
            new Dictionary<string, IResourceAgent> { ["IPaddr2"] = Agent(Kind.Native) }, TimeProvider.System);

        var metadata = await router.GetMetadataAsync(ResourceAgentName.Parse("ocf:heartbeat:IPaddr2"), CancellationToken.None);

        Assert.That(metadata?.ShortDescription, Is.EqualTo("Manages a floating IP address (native)"));
        Assert.That(metadata!.Parameters.Select(p => p.Name), Is.SupersetOf(new[] { "ip", "nic", "cidr_netmask", "broadcast", "iflabel", "arp_count", "arp_interval" }));
    }

    private IResourceAgent Agent(Kind kind) => kind == Kind.Native ? _native : _heartbeat;

    private AgentRequest Request(Kind kind, char node, params (string Name, string Value)[] overrides)
    {
        var parameters = new Dictionary<string, string>
        {
            ["ip"] = _vip,
            ["cidr_netmask"] = "24",
            ["nic"] = "eth0",
            ["network_namespace"] = _lab.Node(node),
        };
        foreach (var (name, value) in overrides)
        {
            parameters[name] = value;
        }

        var agent = kind == Kind.Native ? "ocf:clustermanager:IPaddr2" : "ocf:heartbeat:IPaddr2";
        return AgentRequest.Create("cmt-vip", agent, "monitor", Timeout, parameters);
    }
}
