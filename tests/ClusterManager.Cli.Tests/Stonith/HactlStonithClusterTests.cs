using System.Runtime.Versioning;
using System.Text.Json;
using ClusterManager.Cli.Commands;
using ClusterManager.Daemon.Tests.Cluster;
using ClusterManager.Daemon.Tests.Control;

namespace ClusterManager.Cli.Tests.Stonith;

/// <summary>
/// hactl's fencing commands against three real clusterd processes on loopback with fence_cmtest (its fence kills the
/// target's clusterd): fencing levels, fencing on request (also of the leader), manual confirmation, the fence history
/// and the warning when a node cannot be fenced. Every test leaves all three nodes running.
/// </summary>
[NonParallelizable]
[SupportedOSPlatform("linux")]
public sealed class HactlStonithClusterTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(45);
    private TestCluster _cluster = null!;
    private string _agents = null!;

    [OneTimeSetUp]
    public async Task StartCluster()
    {
        _agents = TestFenceAgent.SetUp(Directory.CreateTempSubdirectory("cmt-cli-fence-").FullName);
        _cluster = TestCluster.Start(perNode: (i, root) =>
        {
            var rsc = TestCluster.ResourceDirectory(root, i);
            Directory.CreateDirectory(rsc);
            return new Dictionary<string, object>
            {
                ["Resources"] = new Dictionary<string, object>
                {
                    ["ResourceTempDirectory"] = rsc,
                    ["FenceAgentDirectories"] = new[] { _agents },
                    ["NodeLossDelayMs"] = 1000,
                },
            };
        });
        var leader = await _cluster.WaitForLeaderAsync();
        TestFenceAgent.WritePids(_cluster, _agents);
        await Ok(leader, "stonith", "create", "fence-all", TestFenceAgent.Name, "pcmk_host_list=n1 n2 n3", "--force");
        await Ok(leader, "stonith", "create", "fence-12", TestFenceAgent.Name, "pcmk_host_list=n1 n2", "--force");
    }

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_agents, recursive: true);
    }

    [TearDown]
    public async Task RestartFencedNodes()
    {
        File.Delete(FailFile);
        if (Enumerable.Range(0, _cluster.Size).All(_cluster.IsRunning))
        {
            return;
        }

        for (var i = 0; i < _cluster.Size; i++)
        {
            if (!_cluster.IsRunning(i))
            {
                _cluster.Kill(i);
                _cluster.StartNode(i);
            }
        }

        await _cluster.WaitForLeaderAsync();
        TestFenceAgent.WritePids(_cluster, _agents);
    }

    private string FailFile => Path.Combine(_agents, "fail");

    private async Task<(int Code, string Out, string Err)> Run(int node, params string[] args)
    {
        var host = HactlHost.Isolated with
        {
            GetVariable = name => name == "HACTL_SERVER" ? _cluster.ApiEndpoints[node] : null,
            User = "e2e",
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Hactl.RunAsync(args, stdout, stderr, TimeProvider.System, host);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<string> Ok(int node, params string[] args)
    {
        var (code, output, error) = await Run(node, args);
        Assert.That(code, Is.Zero, $"hactl {string.Join(' ', args)}\nstdout: {output}\nstderr: {error}");
        return output;
    }

    private async Task<JsonElement> Json(int node, params string[] args) =>
        JsonDocument.Parse(await Ok(node, [.. args, "--output", "json"])).RootElement.Clone();

    private async Task<(int Leader, int Follower, int Other)> RolesAsync()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var followers = Enumerable.Range(0, _cluster.Size).Where(i => i != leader).ToList();
        return (leader, followers[0], followers[1]);
    }

    private async Task WaitUntilStoppedAsync(int node)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (_cluster.IsRunning(node) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task Level_AddsListsVerifiesAndRemoves_LikePcs()
    {
        var (_, via, _) = await RolesAsync();

        await Ok(via, "stonith", "level", "add", "1", "n1", "fence-all");
        await Ok(via, "stonith", "level", "add", "2", "n1", "fence-12,fence-all");
        await Ok(via, "stonith", "level", "add", "1", "regexp%n[23]", "fence-12");
        await Ok(via, "stonith", "level", "add", "1", "attrib%rack=r1", "fence-all");
        var duplicate = await Run(via, "stonith", "level", "add", "1", "n1", "fence-12");
        var unknownNode = await Run(via, "stonith", "level", "add", "1", "n9", "fence-all");
        await Ok(via, "stonith", "level", "add", "3", "n9", "fence-all", "--force");
        var unknownDevice = await Run(via, "stonith", "level", "add", "1", "n2", "nope");
        var badLevel = await Run(via, "stonith", "level", "add", "0", "n1", "fence-all");
        var levels = await Json(via, "stonith", "level", "config");
        var text = await Ok(via, "stonith", "level");
        var verifyBad = await Run(via, "stonith", "level", "verify");
        await Ok(via, "stonith", "level", "delete", "3", "target", "n9");
        var verifyGood = await Run(via, "stonith", "level", "verify");
        await Ok(via, "stonith", "level", "remove", "2", "n1", "fence-12", "fence-all");
        var missing = await Run(via, "stonith", "level", "delete", "5");
        await Ok(via, "stonith", "level", "clear", "target", "regexp%n[23]");
        var afterTargetClear = await Json(via, "stonith", "level", "config");
        await Ok(via, "stonith", "level", "clear");
        var afterClear = await Json(via, "stonith", "level", "config");

        Assert.That(duplicate.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(duplicate.Err, Does.Contain("fencing level 1 for n1 already exists (fl-n1-1, device(s) 'fence-all')"));
        Assert.That(unknownNode.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(unknownNode.Err, Does.Contain("node 'n9' is not a cluster node; use --force"));
        Assert.That(unknownDevice.Err, Does.Contain("stonith device 'nope' does not exist"));
        Assert.That(badLevel.Code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(badLevel.Err, Does.Contain("'0' is not a valid level value"));
        Assert.That(levels.EnumerateArray().Select(l => (l.GetProperty("id").GetString(), l.GetProperty("target").GetString(), l.GetProperty("level").GetInt32())), Is.EqualTo(new[]
        {
            ("fl-n1-1", "n1", 1), ("fl-n1-2", "n1", 2), ("fl-regexp_n_23_-1", "regexp%n[23]", 1), ("fl-attrib_rack_r1-1", "attrib%rack=r1", 1), ("fl-n9-3", "n9", 3),
        }));
        Assert.That(text, Does.Contain("  Target: n1\n    Level 1 - fence-all\n    Level 2 - fence-12,fence-all\n"));
        Assert.That(verifyBad.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(verifyBad.Err, Does.Contain("Node 'n9' does not appear to exist in configuration"));
        Assert.That(verifyGood.Code, Is.Zero, verifyGood.Err);
        Assert.That(missing.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(missing.Err, Does.Contain("Fencing level at level '5' was not found"));
        Assert.That(afterTargetClear.EnumerateArray().Select(l => l.GetProperty("id").GetString()), Is.EqualTo(new[] { "fl-n1-1", "fl-attrib_rack_r1-1" }));
        Assert.That(afterClear.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Fence_KillsTheNodeAndRecordsIt_WhenAFollowerIsFenced()
    {
        var (leader, target, via) = await RolesAsync();
        var name = TestCluster.NodeName(target);

        var fenced = await Run(via, "stonith", "fence", name);
        await WaitUntilStoppedAsync(target);
        var history = await Json(via, "stonith", "history", "show", name);
        var text = await Ok(leader, "stonith", "history");

        Assert.That(fenced.Code, Is.Zero, fenced.Err);
        Assert.That(fenced.Out, Does.Match($"^Node: {name} fenced by fence-(all|12) \\(from n[0-9]\\)\n$"));
        Assert.That(_cluster.IsRunning(target), Is.False, "the fence agent did not kill the target");
        var newest = history.EnumerateArray().First(e => e.GetProperty("client").GetString() == "hactl:e2e");
        Assert.That(newest.GetProperty("action").GetString(), Is.EqualTo("reboot"));
        Assert.That(newest.GetProperty("status").GetString(), Is.EqualTo("success"));
        Assert.That(newest.GetProperty("delegate").GetString(), Is.Not.EqualTo(name).And.StartsWith("n"));
        Assert.That(newest.GetProperty("client").GetString(), Is.EqualTo("hactl:e2e"));
        Assert.That(newest.GetProperty("devices").EnumerateArray().Select(d => d.GetString()).Single(), Is.AnyOf("fence-all", "fence-12"));
        Assert.That(text, Does.Contain($"reboot of {name} successful: delegate=").And.Contain("client=hactl:e2e").And.Contain(", completed='"));
    }

    [Test]
    public async Task Fence_FailsWithTheReasonAndRecordsIt_WhenTheDeviceFails()
    {
        var (_, target, via) = await RolesAsync();
        var name = TestCluster.NodeName(target);
        await File.WriteAllTextAsync(FailFile, "");

        var fenced = await Run(via, "stonith", "fence", name, "--off");
        var history = await Json(via, "stonith", "history", name);
        await Ok(via, "stonith", "history", "cleanup", name);
        var cleaned = await Json(via, "stonith", "history", name);

        Assert.That(fenced.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(fenced.Err, Does.StartWith($"error: unable to fence '{name}'"));
        Assert.That(_cluster.IsRunning(target), Is.True);
        Assert.That((history[0].GetProperty("action").GetString(), history[0].GetProperty("status").GetString()), Is.EqualTo(("off", "failed")));
        Assert.That(cleaned.GetArrayLength(), Is.Zero);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Fence_IsRunAndRecordedByAnotherNode_WhenTheLeaderIsFenced(bool askTheLeader)
    {
        var (leader, follower, _) = await RolesAsync();
        var name = TestCluster.NodeName(leader);

        var fenced = await Run(askTheLeader ? leader : follower, "stonith", "fence", name, "--off");
        var via = follower;
        await WaitUntilStoppedAsync(leader);
        var history = await Json(via, "stonith", "history", name);

        Assert.That(fenced.Code, Is.Zero, fenced.Err);
        Assert.That(_cluster.IsRunning(leader), Is.False, "the fence agent did not kill the leader");
        // The next leader's controller may fence the lost leader once more before this fence is recorded (as
        // Pacemaker may): the event of interest is the one hactl asked for.
        var asked = history.EnumerateArray().Single(e => e.GetProperty("client").GetString() == "hactl:e2e");
        Assert.That(asked.GetProperty("action").GetString(), Is.EqualTo("off"));
        Assert.That(asked.GetProperty("status").GetString(), Is.EqualTo("success"));
        Assert.That(asked.GetProperty("delegate").GetString(), askTheLeader ? Is.Not.EqualTo(name).And.StartsWith("n") : Is.EqualTo(TestCluster.NodeName(follower)));
    }

    [Test]
    public async Task Confirm_RecordsTheNodeFencedByAHuman_OnlyWithConsentAndWhenItIsDown()
    {
        var (_, target, via) = await RolesAsync();
        var name = TestCluster.NodeName(target);
        await File.WriteAllTextAsync(FailFile, "");

        var whileUp = await Run(via, "stonith", "confirm", name, "--yes");
        _cluster.Kill(target);
        var noConsent = await Run(via, "stonith", "confirm", name);
        var confirmed = await ConfirmWhenSeenDownAsync(via, name);
        var history = await Json(via, "stonith", "history", name);

        Assert.That(whileUp.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(whileUp.Err, Does.Contain($"node '{name}' is up"));
        Assert.That(noConsent.Code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(noConsent.Err, Does.Contain("WARNING: If node").And.Contain("confirmation needed; run it again with --yes"));
        Assert.That(confirmed.Code, Is.Zero, confirmed.Err);
        Assert.That(confirmed.Out, Is.EqualTo($"Node: {name} confirmed fenced\n"));
        var manual = history.EnumerateArray().Single(e => e.GetProperty("delegate").GetString() == "a human");
        Assert.That((manual.GetProperty("action").GetString(), manual.GetProperty("status").GetString(), manual.GetProperty("client").GetString()),
            Is.EqualTo(("off", "success", "hactl:e2e")));
    }

    private async Task<(int Code, string Out, string Err)> ConfirmWhenSeenDownAsync(int via, string name)
    {
        // The leader refuses while it still counts the killed node as available (until its first missed heartbeat).
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var result = await Run(via, "stonith", "confirm", name, "--yes");
            if (result.Code == 0 || !result.Err.Contains("is up", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }

    [Test]
    public async Task PropertySet_WarnsAboutTheNodeNoDeviceCanFence_WhenFencingIsEnabled()
    {
        var (_, via, _) = await RolesAsync();
        await Ok(via, "stonith", "update", "fence-all", "pcmk_host_list=n1 n2", "--force");
        try
        {
            var set = await Run(via, "property", "set", "stonith-enabled=true");
            var status = await Ok(via, "status");

            Assert.That(set.Code, Is.Zero, set.Err);
            Assert.That(set.Err, Does.Contain("Warning: Node n3 cannot be fenced: no stonith device lists it in pcmk_host_list or pcmk_host_map"));
            Assert.That(status, Does.Contain("WARNINGS:\n").And.Contain("Node n3 cannot be fenced"));
        }
        finally
        {
            await Ok(via, "stonith", "update", "fence-all", "pcmk_host_list=n1 n2 n3", "--force");
            await Ok(via, "property", "unset", "stonith-enabled");
        }
    }
}
