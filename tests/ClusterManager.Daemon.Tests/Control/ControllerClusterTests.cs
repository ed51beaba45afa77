using ClusterManager.Api.V1;
using ClusterManager.Daemon.Tests.Cluster;

namespace ClusterManager.Daemon.Tests.Control;

/// <summary>
/// The controller on three real clusterd processes running Debian's ocf:heartbeat:Dummy: each node has its own
/// HA_RSCTMP, so a resource's state file says on which node the agent thinks it runs.
/// </summary>
[NonParallelizable]
public sealed class ControllerClusterTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(45);

    internal static TestCluster StartCluster(string? fenceAgents = null, IReadOnlySet<int>? witnesses = null) => TestCluster.Start(witnesses: witnesses, perNode: (i, root) =>
    {
        var rsc = Path.Combine(root, $"{TestCluster.NodeName(i)}-rsc");
        Directory.CreateDirectory(rsc);
        var resources = new Dictionary<string, object> { ["ResourceTempDirectory"] = rsc, ["NodeLossDelayMs"] = 1000 };
        if (fenceAgents is not null)
        {
            resources["FenceAgentDirectories"] = new[] { fenceAgents };
        }

        return new Dictionary<string, object> { ["Resources"] = resources };
    });

    internal static string StateFile(TestCluster cluster, int node, string resource) =>
        Path.Combine(cluster.Root, $"{TestCluster.NodeName(node)}-rsc", $"Dummy-{resource}.state");

    /// <summary>The nodes (indexes) whose Dummy state file for <paramref name="resource"/> exists.</summary>
    internal static List<int> RunningOn(TestCluster cluster, string resource, IEnumerable<int>? among = null) =>
        [.. (among ?? Enumerable.Range(0, cluster.Size)).Where(i => File.Exists(StateFile(cluster, i, resource)))];

    internal static Change Primitive(string id, string monitorInterval = "1s") => new()
    {
        PutResource = new PutElement
        {
            Xml = $"<primitive id=\"{id}\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations>"
                  + $"<op id=\"{id}-monitor\" name=\"monitor\" interval=\"{monitorInterval}\" timeout=\"10s\"/></operations></primitive>",
        },
    };

    internal static Change Property(string name, string value) => new() { SetProperty = new NameValue { Name = name, Value = value } };

    internal static async Task ApplyAsync(TestCluster cluster, int node, params Change[] changes)
    {
        var request = new ApplyChangesRequest { RequestId = Guid.NewGuid().ToString("N"), Author = "tester" };
        request.Changes.AddRange(changes);
        await cluster.Client(node).ApplyChangesAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds; meanwhile fails at once if the resource is ever active on two
    /// of <paramref name="among"/> nodes (the split-brain check).
    /// </summary>
    internal static async Task WaitAsync(TestCluster cluster, string resource, Func<List<int>, bool> condition, string what, IEnumerable<int>? among = null)
    {
        var nodes = (among ?? Enumerable.Range(0, cluster.Size)).ToList();
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var running = RunningOn(cluster, resource, nodes);
            Assert.That(running, Has.Count.LessThanOrEqualTo(1), $"{resource} active on several nodes: {string.Join(",", running)}\n{cluster.Logs()}");
            if (condition(running))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; {resource} on [{string.Join(",", running)}]\n{cluster.Logs()}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The CIB with status once it contains <paramref name="text"/> (the recorded results lag the agents a little).</summary>
    internal static async Task<string> WaitForStatusAsync(TestCluster cluster, int node, string text)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var config = await cluster.Client(node).GetConfigurationAsync(new GetConfigurationRequest { IncludeStatus = true });
            if (config.CibXml.Contains(text, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return config.CibXml;
            }

            await Task.Delay(50);
        }
    }

    [Test]
    public async Task Controller_StartsResourceOnOneNode_WhenPrimitiveCreated()
    {
        await using var cluster = StartCluster();
        var leader = await cluster.WaitForLeaderAsync();

        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), Primitive("d1"));

        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        var status = await WaitForStatusAsync(cluster, leader, "d1_monitor_1000");
        Assert.That(status, Does.Contain("d1_last_0").And.Contain("operation=\"start\""));
    }

    [Test]
    public async Task Controller_StartsGroupMembersInOrderOnOneNode_WhenGroupCreated()
    {
        await using var cluster = StartCluster();
        var leader = await cluster.WaitForLeaderAsync();
        var group = new Change
        {
            PutResource = new PutElement
            {
                Xml = "<group id=\"g\"><primitive id=\"ip\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
                      + "<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></group>",
            },
        };

        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), group);

        await WaitAsync(cluster, "web", r => r.Count == 1, "web to start");
        var web = RunningOn(cluster, "web").Single();
        Assert.That(RunningOn(cluster, "ip"), Is.EqualTo(new[] { web }));
        Assert.That(File.GetLastWriteTimeUtc(StateFile(cluster, web, "ip")), Is.LessThanOrEqualTo(File.GetLastWriteTimeUtc(StateFile(cluster, web, "web"))));
    }

    [Test]
    public async Task Controller_MovesResource_WhenItsNodeIsKilled()
    {
        await using var cluster = StartCluster();
        var leader = await cluster.WaitForLeaderAsync();
        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), Primitive("d1"));
        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        var first = RunningOn(cluster, "d1").Single();

        cluster.Kill(first);
        var survivors = Enumerable.Range(0, cluster.Size).Where(i => i != first).ToList();

        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to move to a survivor", survivors);
    }

    [Test]
    public async Task Controller_RestartsResourceInPlace_WhenMonitorFindsItStopped()
    {
        await using var cluster = StartCluster();
        var leader = await cluster.WaitForLeaderAsync();
        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), Primitive("d1"));
        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        var node = RunningOn(cluster, "d1").Single();

        File.Delete(StateFile(cluster, node, "d1"));

        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to be recovered");
        Assert.That(RunningOn(cluster, "d1"), Is.EqualTo(new[] { node }));
        Assert.That(await WaitForStatusAsync(cluster, leader, "fail-count-d1#monitor_1000"), Does.Contain("last-failure-d1#monitor_1000"));
    }

    [Test]
    public async Task Controller_MovesResourceAway_WhenNodePutInStandby()
    {
        await using var cluster = StartCluster();
        var leader = await cluster.WaitForLeaderAsync();
        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), Primitive("d1"));
        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        var node = RunningOn(cluster, "d1").Single();

        await ApplyAsync(cluster, leader, new Change { SetNodeAttribute = new NodeAttribute { Node = TestCluster.NodeName(node), Name = "standby", Value = "on" } });

        await WaitAsync(cluster, "d1", r => r.Count == 1 && r[0] != node, "d1 to leave the standby node");
    }

    [Test]
    public async Task QuorumGuard_StopsResources_WhenNodeLosesQuorum()
    {
        await using var cluster = StartCluster();
        var leader = await cluster.WaitForLeaderAsync();
        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), Primitive("d1"));
        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        var node = RunningOn(cluster, "d1").Single();

        foreach (var other in Enumerable.Range(0, cluster.Size).Where(i => i != node))
        {
            cluster.Kill(other);
        }

        await WaitAsync(cluster, "d1", r => r.Count == 0, "the minority node to stop d1", [node]);
    }

    [Test]
    public async Task Controller_NeverPlacesResourcesOnTheWitness_WhenANodeOfATwoNodeClusterDies()
    {
        // Two nodes and a witness (the corosync-qdevice role): the survivor keeps quorum with the witness's vote.
        await using var cluster = StartCluster(witnesses: new HashSet<int> { 2 });
        var leader = await cluster.WaitForLeaderAsync();
        await ApplyAsync(cluster, leader, Property("stonith-enabled", "false"), Primitive("d1"), Primitive("d2"));
        await WaitAsync(cluster, "d1", r => r.Count == 1, "d1 to start");
        await WaitAsync(cluster, "d2", r => r.Count == 1, "d2 to start");
        Assert.That(RunningOn(cluster, "d1").Concat(RunningOn(cluster, "d2")), Has.No.Member(2));

        var holder = RunningOn(cluster, "d1").Single();
        cluster.Kill(holder);
        var survivor = 1 - holder;

        await WaitAsync(cluster, "d1", r => r.SequenceEqual([survivor]), "d1 to move to the other node", [survivor, 2]);
        await WaitAsync(cluster, "d2", r => r.SequenceEqual([survivor]), "d2 to run on the other node", [survivor, 2]);
    }
}
