using System.Text.Json;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Host;

/// <summary>
/// hactl cluster node add|remove|list end to end, as pcs cluster node add/remove: four real host agents on loopback
/// (a real local account for host auth), a three-node cluster set up with TLS through them, then a fourth node added
/// (certificate from the kept CA, configuration pushed, started, caught up) and a node removed (destroyed there),
/// with the refusals before anything changes.
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterMembershipCommandsTests
{
    private HostAgentFleet _fleet = null!;
    private TestAccount _account = null!;
    private string _knownHosts = "";

    [OneTimeSetUp]
    public async Task StartAgents()
    {
        _account = TestAccount.Create(inHaclient: true);
        _fleet = await HostAgentFleet.StartAsync(4);
        _knownHosts = Path.Combine(Directory.CreateTempSubdirectory("cmt-host-kh-").FullName, "known-hosts");
    }

    [OneTimeTearDown]
    public async Task StopAgents()
    {
        await _fleet.DisposeAsync();
        _account.Dispose();
        Directory.Delete(Path.GetDirectoryName(_knownHosts)!, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> Hactl(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = HactlHost.Isolated with { GetVariable = name => name == "HACTL_KNOWN_HOSTS" ? _knownHosts : null, User = "members-e2e" };
        var code = await Cli.Hactl.RunAsync(args, stdout, stderr, TimeProvider.System, host);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string[] Api(int apiPort)
    {
        var dir = Path.Combine(Path.GetDirectoryName(_knownHosts)!, "clusters", "lab");
        return ["--server", $"https://127.0.0.1:{apiPort}", "--ca-file", Path.Combine(dir, "ca.pem"), "--token-file", Path.Combine(dir, "admin.token")];
    }

    private static string Nodes(string configDirectory) =>
        string.Join(",", JsonDocument.Parse(File.ReadAllText(Path.Combine(configDirectory, "clusterd.json"))).RootElement
            .GetProperty("Clusterd").GetProperty("Nodes").EnumerateArray().Select(n => n.GetProperty("Name").GetString()));

    private async Task<List<(string Name, string State, bool Voting)>> MembersAsync(string[] api)
    {
        var (code, output, error) = await Hactl(["cluster", "node", "list", "--output", "json", .. api]);
        Assert.That(code, Is.Zero, error);
        return [.. JsonDocument.Parse(output).RootElement.GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("name").GetString()!, m.GetProperty("state").GetString()!, m.GetProperty("voting").GetBoolean()))];
    }

    private async Task<bool> WaitForQuorumAsync(string[] api, int members)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var (code, output, _) = await Hactl(["quorum", "status", "--output", "json", "--request-timeout", "2", .. api]);
            if (code == 0)
            {
                var root = JsonDocument.Parse(output).RootElement;
                if (root.GetProperty("quorate").GetBoolean() && root.GetProperty("members").GetArrayLength() == members)
                {
                    return true;
                }
            }

            await Task.Delay(200);
        }

        return false;
    }

    [Test]
    public async Task NodeAddAndRemove_GrowAndShrinkTheCluster_AfterRefusingBadRequests()
    {
        var auth = await Hactl(["host", "auth", .. Enumerable.Range(0, 4).SelectMany(i => new[] { HostAgentFleet.NodeName(i), $"addr=127.0.0.1:{_fleet.Ports[i]}" }),
            "-u", _account.Name, "-p", _account.Password]);
        var p = HostAgentFleet.FreePorts(8);
        try
        {
            var setup = await Hactl("cluster", "setup", "lab",
                "n1", $"addr=127.0.0.1:{p[0]}", $"api=127.0.0.1:{p[1]}",
                "n2", $"addr=127.0.0.1:{p[2]}", $"api=127.0.0.1:{p[3]}",
                "n3", $"addr=127.0.0.1:{p[4]}", $"api=127.0.0.1:{p[5]}", "--start");
            var quorate = await WaitForQuorumAsync(Api(p[1]), 3);

            var unauthenticated = await Hactl(["cluster", "node", "add", "n9", "addr=127.0.0.1:1", .. Api(p[1])]);
            var notIp = await Hactl(["cluster", "node", "add", "n4", "addr=node4.example", .. Api(p[1])]);
            var member = await Hactl(["cluster", "node", "add", "n2", $"addr=127.0.0.1:{p[6]}", $"api=127.0.0.1:{p[7]}", .. Api(p[1])]);
            var usedAddress = await Hactl(["cluster", "node", "add", "n4", $"addr=127.0.0.1:{p[6]}", $"api=127.0.0.1:{p[3]}", .. Api(p[1])]);
            var unknown = await Hactl(["cluster", "node", "remove", "n4", "--yes", .. Api(p[1])]);
            var noYes = await Hactl(["cluster", "node", "remove", "n2", .. Api(p[1])]);
            var unchanged = await MembersAsync(Api(p[1]));

            var add = await Hactl(["cluster", "node", "add", "n4", $"addr=127.0.0.1:{p[6]}", $"api=127.0.0.1:{p[7]}", "--start", "--wait=90", .. Api(p[1])]);
            Assert.That(add.Code, Is.Zero, add.Out + add.Err + _fleet.Logs());
            var four = await MembersAsync(Api(p[7]));
            var status = await Hactl(["status", .. Api(p[7])]);
            var n1Nodes = Nodes(_fleet.ConfigDirectory(0));
            var n4Nodes = Nodes(_fleet.ConfigDirectory(3));

            var remove = await Hactl(["cluster", "node", "remove", "n1", "--yes", .. Api(p[3])]);
            var quorateAfter = await WaitForQuorumAsync(Api(p[7]), 3);
            var three = await MembersAsync(Api(p[3]));
            var n2Nodes = Nodes(_fleet.ConfigDirectory(1));

            Assert.That(auth.Code, Is.Zero, auth.Err);
            Assert.That(setup.Code, Is.Zero, setup.Err);
            Assert.That(quorate, Is.True, _fleet.Logs());
            Assert.That(unauthenticated.Code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(unauthenticated.Err, Does.StartWith("error: not authenticated to n9"));
            Assert.That(notIp.Code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(notIp.Err, Does.StartWith("error: node n4: addr=node4.example is not an IP address"));
            Assert.That(member.Code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(member.Err, Does.StartWith("error: node n2 is already a member of the cluster"));
            Assert.That(usedAddress.Code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(usedAddress.Err, Does.StartWith($"error: address 127.0.0.1:{p[3]} is already used by node n2"));
            Assert.That(unknown.Code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(unknown.Err, Does.StartWith("error: node n4 is not a member of the cluster (members: n1, n2, n3)"));
            Assert.That(noYes.Code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(noYes.Err, Does.Contain("--yes"));
            Assert.That(unchanged, Is.EqualTo(new[] { ("n1", "member", true), ("n2", "member", true), ("n3", "member", true) }));

            Assert.That(add.Code, Is.Zero, add.Err + _fleet.Logs());
            Assert.That(add.Out, Does.Contain("node n4 recorded").And.Contain("n4: cluster 'lab' configuration installed").And.Contain("Node n4 is a member of the cluster."));
            Assert.That(four, Is.EqualTo(new[] { ("n1", "member", true), ("n2", "member", true), ("n3", "member", true), ("n4", "member", true) }));
            Assert.That(status.Code, Is.Zero, status.Err);
            Assert.That(status.Out, Does.Contain("n4"));
            Assert.That(n1Nodes, Is.EqualTo("n1,n2,n3,n4"));
            Assert.That(n4Nodes, Is.EqualTo("n1,n2,n3,n4"));

            Assert.That(remove.Code, Is.Zero, remove.Err + _fleet.Logs());
            Assert.That(remove.Out, Does.Contain("node n1 removed"));
            Assert.That(quorateAfter, Is.True);
            Assert.That(three, Is.EqualTo(new[] { ("n2", "member", true), ("n3", "member", true), ("n4", "member", true) }));
            Assert.That(n2Nodes, Is.EqualTo("n2,n3,n4"));
            Assert.That(Directory.EnumerateFileSystemEntries(_fleet.ConfigDirectory(0)), Is.Empty, "n1 destroyed");
        }
        finally
        {
            var destroy = await Hactl("cluster", "destroy", "--all", "--yes");
            Assert.That(destroy.Code, Is.Zero, destroy.Err);
        }
    }
}
