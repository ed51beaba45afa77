using System.Text.Json;
using System.Xml.Linq;
using ClusterManager.Cli.Commands;
using ClusterManager.Daemon.Tests.Cluster;

namespace ClusterManager.Cli.Tests.Cluster;

/// <summary>
/// hactl against a real three-node clusterd cluster on loopback: the issue's seed commands, then the daily
/// commands, each checked through hactl's own JSON output. One cluster serves the fixture; tests use their own ids.
/// Resources are Dummy (per-node runtime directories) or created --disabled (IPaddr2 with a 198.18.x address).
/// </summary>
[NonParallelizable]
public sealed class HactlClusterTests
{
    private TestCluster _cluster = null!;
    private int _leader;

    [OneTimeSetUp]
    public async Task StartCluster()
    {
        _cluster = TestCluster.Start(perNode: TestCluster.OwnResourceDirectory);
        _leader = await _cluster.WaitForLeaderAsync();
    }

    [OneTimeTearDown]
    public async Task StopCluster() => await _cluster.DisposeAsync();

    private int Follower => (_leader + 1) % _cluster.Size;

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

    private async Task<string> Ok(params string[] args)
    {
        var (code, output, error) = await Run(Follower, args);
        Assert.That(code, Is.Zero, $"hactl {string.Join(' ', args)}\nstdout: {output}\nstderr: {error}");
        return output;
    }

    private async Task<JsonElement> Json(params string[] args) =>
        JsonDocument.Parse(await Ok([.. args, "--output", "json"])).RootElement.Clone();

    [Test]
    public async Task ClusterConfig_ShowsTheNameMembersQuorumAndRaftOptions()
    {
        await Ok("property", "set", "cluster-name=myha-cluster");
        var host = HactlHost.Isolated with
        {
            GetVariable = name => name == "HACTL_SERVER" ? _cluster.ApiEndpoints[Follower] : null,
            User = "e2e",
            ClusterdConfigFile = _cluster.ConfigPath(Follower),
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await Hactl.RunAsync(["cluster", "config"], stdout, stderr, TimeProvider.System, host);

        var text = stdout.ToString();
        Assert.That(code, Is.Zero, stderr.ToString());
        Assert.That(text, Does.StartWith("Cluster Name: myha-cluster\nTransport: Raft over TCP\nNodes:\n  n1:\n    Raft address: 127.0.0.1:"));
        Assert.That(text, Does.Contain($"    API address: {_cluster.ApiEndpoints[2]}\n    role: node\n"));
        Assert.That(text, Does.Contain("Quorum Options:\n  votes: 3 (quorum: 2)\n"));
        Assert.That(text, Does.Contain($"Raft Options ({_cluster.ConfigPath(Follower)}):\n  election timeout: "));
    }

    [Test]
    public async Task SeedCommands_ConfigureTheCluster_ThroughAFollower()
    {
        string[][] seed =
        [
            ["resource", "create", "VirtualIP", "ocf:heartbeat:IPaddr2", "ip=198.18.0.100", "cidr_netmask=24", "op", "monitor", "interval=10s", "--disabled"],
            ["resource", "create", "HAProxy", "systemd:haproxy", "op", "monitor", "interval=10s", "timeout=30s", "--disabled"],
            ["constraint", "colocation", "add", "HAProxy", "with", "VirtualIP", "INFINITY"],
            ["constraint", "order", "VirtualIP", "then", "HAProxy"],
            ["property", "set", "stonith-enabled=true"],
            ["property", "set", "no-quorum-policy=ignore"],
        ];
        foreach (var command in seed)
        {
            await Ok(command);
        }

        var shown = await Run(Follower, "constraint", "show", "--full");
        var constraints = await Json("constraint", "config", "--full");
        var properties = await Json("property", "config");
        var stonith = await Ok("stonith", "status");
        var status = await Json("status");
        var text = await Ok("status");

        Assert.That(shown.Out, Does.Contain("(id: colocation-HAProxy-VirtualIP-INFINITY)").And.Contain("(id: order-VirtualIP-HAProxy-mandatory)"));
        Assert.That(shown.Err, Does.Contain("Deprecation Warning"));
        var colocation = constraints.GetProperty("colocation").EnumerateArray().Single(c => c.GetProperty("resource_id").GetString() == "HAProxy");
        Assert.That(colocation.GetProperty("with_resource_id").GetString(), Is.EqualTo("VirtualIP"));
        Assert.That(colocation.GetProperty("attributes").GetProperty("constraint_id").GetString(), Is.EqualTo("colocation-HAProxy-VirtualIP-INFINITY"));
        Assert.That(colocation.GetProperty("attributes").GetProperty("score").GetString(), Is.EqualTo("INFINITY"));
        var order = constraints.GetProperty("order").EnumerateArray().Single(c => c.GetProperty("then_resource_id").GetString() == "HAProxy");
        Assert.That(order.GetProperty("first_resource_id").GetString(), Is.EqualTo("VirtualIP"));
        Assert.That(order.GetProperty("attributes").GetProperty("constraint_id").GetString(), Is.EqualTo("order-VirtualIP-HAProxy-mandatory"));
        var values = properties.GetProperty("nvpairs").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("value").GetString());
        Assert.That(values["stonith-enabled"], Is.EqualTo("true"));
        Assert.That(values["no-quorum-policy"], Is.EqualTo("ignore"));
        Assert.That(stonith, Does.Contain("NO stonith devices configured"));
        Assert.That(status.GetProperty("quorum").GetBoolean(), Is.True);
        Assert.That(status.GetProperty("dc").GetString(), Is.EqualTo(TestCluster.NodeName(_leader)));
        Assert.That(status.GetProperty("nodes").EnumerateArray().Select(n => (n.GetProperty("name").GetString(), n.GetProperty("online").GetBoolean())),
            Is.EqualTo(new[] { ("n1", true), ("n2", true), ("n3", true) }));
        var resources = status.GetProperty("resources").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.That(resources["VirtualIP"].GetProperty("agent").GetString(), Is.EqualTo("ocf:heartbeat:IPaddr2"));
        Assert.That(resources["VirtualIP"].GetProperty("disabled").GetBoolean(), Is.True);
        Assert.That(resources["HAProxy"].GetProperty("agent").GetString(), Is.EqualTo("systemd:haproxy"));
        Assert.That(status.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()), Does.Contain("No stonith devices and stonith-enabled is not false"));
        Assert.That(text, Does.Contain($"Current DC: {TestCluster.NodeName(_leader)}").And.Contain("Online: [ n1 n2 n3 ]")
            .And.Contain("* VirtualIP\t(ocf:heartbeat:IPaddr2):\t Stopped (disabled)"));
    }

    [Test]
    public async Task ResourceCommands_EditConfiguration_AsPcsDoes()
    {
        await Ok("resource", "create", "web-d1", "ocf:heartbeat:Dummy", "fake=1", "--group", "web-g", "--disabled");
        await Ok("resource", "create", "web-d2", "ocf:heartbeat:Dummy", "--group", "web-g", "--before", "web-d1", "--disabled");
        await Ok("resource", "update", "web-d1", "fake=2", "op", "monitor", "interval=20s");
        await Ok("resource", "meta", "web-g", "migration-threshold=3");
        await Ok("resource", "enable", "web-d2");
        await Ok("constraint", "location", "web-g", "prefers", "n1=50");
        await Ok("resource", "ban", "web-g", "n3");

        var config = await Json("resource", "config");
        var constraints = await Json("constraint", "config");

        var group = config.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("id").GetString() == "web-g");
        Assert.That(group.GetProperty("member_ids").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { "web-d2", "web-d1" }));
        Assert.That(Pairs(group.GetProperty("meta_attributes")), Does.ContainKey("migration-threshold"));
        var d1 = config.GetProperty("primitives").EnumerateArray().Single(p => p.GetProperty("id").GetString() == "web-d1");
        Assert.That(Pairs(d1.GetProperty("instance_attributes"))["fake"], Is.EqualTo("2"));
        Assert.That(Pairs(d1.GetProperty("meta_attributes"))["target-role"], Is.EqualTo("Stopped"));
        Assert.That(d1.GetProperty("operations").EnumerateArray().Select(o => (o.GetProperty("name").GetString(), o.GetProperty("id").GetString())),
            Does.Contain(("monitor", "web-d1-monitor-interval-20s")));
        var d2 = config.GetProperty("primitives").EnumerateArray().Single(p => p.GetProperty("id").GetString() == "web-d2");
        Assert.That(Pairs(d2.GetProperty("meta_attributes")), Does.Not.ContainKey("target-role"));
        var locations = constraints.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("attributes").GetProperty("constraint_id").GetString()).ToList();
        Assert.That(locations, Does.Contain("location-web-g-n1-50").And.Contain("cli-ban-web-g-on-n3"));

        await Ok("resource", "clear", "web-g");
        await Ok("resource", "delete", "web-g", "--yes");
        var after = await Json("constraint", "config");
        var remaining = await Json("resource", "config");

        Assert.That(after.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("resource_id").GetString()), Does.Not.Contain("web-g"));
        Assert.That(remaining.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("id").GetString()), Does.Not.Contain("web-g"));
        Assert.That(remaining.GetProperty("primitives").EnumerateArray().Select(g => g.GetProperty("id").GetString()), Does.Not.Contain("web-d1"));
    }

    [Test]
    public async Task NodeStandby_ShownInStatus_UntilUnstandby()
    {
        await Ok("node", "standby", "n2");
        var during = await Json("status");
        await Ok("node", "unstandby", "n2");
        var after = await Json("status");

        static bool Standby(JsonElement status, string node) =>
            status.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == node).GetProperty("standby").GetBoolean();
        Assert.That(Standby(during, "n2"), Is.True);
        Assert.That(Standby(during, "n1"), Is.False);
        Assert.That(Standby(after, "n2"), Is.False);
    }

    [Test]
    public async Task Cleanup_RecordedInHistory_WithAuthor()
    {
        await Ok("resource", "create", "clean-me", "ocf:heartbeat:Dummy", "--disabled");

        var output = await Ok("resource", "cleanup", "clean-me", "node=n1");
        var history = await Json("history");

        Assert.That(output, Does.Contain("Cleaned up clean-me on n1"));
        var last = history.EnumerateArray().Last();
        Assert.That(last.GetProperty("author").GetString(), Is.EqualTo("e2e"));
        Assert.That(last.GetProperty("changes").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "clear history of clean-me on n1" }));
    }

    [Test]
    public async Task Errors_NameTheProblem_WithExitCodes()
    {
        await Ok("resource", "create", "twice", "ocf:heartbeat:Dummy", "--disabled");

        var duplicate = await Run(Follower, "resource", "create", "twice", "ocf:heartbeat:Dummy");
        var property = await Run(Follower, "property", "set", "no-such-prop=1");
        var missing = await Run(Follower, "constraint", "delete", "no-such-constraint", "--yes");
        var unconfirmed = await Run(Follower, "resource", "delete", "twice");
        var stillThere = await Json("resource", "config", "twice");

        Assert.That((duplicate.Code, duplicate.Err), Is.EqualTo((1, "error: 'twice' already exists\n")));
        Assert.That(property.Code, Is.EqualTo(1));
        Assert.That(property.Err, Does.Contain("'no-such-prop' is not a cluster option"));
        Assert.That((missing.Code, missing.Err), Is.EqualTo((1, "error: Unable to find constraint - 'no-such-constraint'\n")));
        Assert.That(unconfirmed.Code, Is.EqualTo(2));
        Assert.That(unconfirmed.Err, Does.Contain("--yes"));
        Assert.That(stillThere.GetProperty("primitives").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task StonithCommands_ManageADevice_AsAStonithPrimitive()
    {
        await Ok("stonith", "create", "fence-lab", "fence_dummy", "type=file", "pcmk_host_list=n1 n2 n3", "--disabled");
        var bogus = await Run(Follower, "stonith", "create", "fence-bad", "fence_dummy", "no_such_option=1");
        await Ok("stonith", "update", "fence-lab", "pcmk_delay_base=2s");

        var config = await Json("stonith", "config");
        var status = await Ok("stonith", "status");
        var resources = await Json("resource", "config");
        var warnings = (await Json("status")).GetProperty("warnings").EnumerateArray().Select(w => w.GetString());

        Assert.That(bogus.Code, Is.EqualTo(2));
        Assert.That(bogus.Err, Does.Contain("invalid resource option 'no_such_option' for stonith:fence_dummy"));
        var device = config.GetProperty("primitives").EnumerateArray().Single();
        Assert.That(device.GetProperty("agent_name").GetProperty("standard").GetString(), Is.EqualTo("stonith"));
        Assert.That(Pairs(device.GetProperty("instance_attributes")), Does.ContainKey("pcmk_delay_base").And.ContainKey("pcmk_host_list"));
        Assert.That(device.GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("interval").GetString()), Is.EqualTo(new[] { "60s" }));
        Assert.That(status, Does.Contain("fence-lab\t(stonith:fence_dummy):\t Stopped (disabled)"));
        Assert.That(resources.GetProperty("primitives").EnumerateArray().Select(p => p.GetProperty("id").GetString()), Does.Not.Contain("fence-lab"));
        Assert.That(warnings, Does.Not.Contain("No stonith devices and stonith-enabled is not false"));

        await Ok("stonith", "delete", "fence-lab", "--yes");
        Assert.That(await Ok("stonith"), Does.Contain("NO stonith devices configured"));
    }

    [Test]
    public async Task ResourceRestart_StopsAndStartsItAgain_ThenTheClusterIsSettled()
    {
        // Without a fence device nothing starts while stonith-enabled is true (as in Pacemaker): off for this test.
        await Ok("property", "set", "stonith-enabled=false");
        (int Code, string Out, string Err) settled, notRunning, badTimeout;
        (string Node, int CallId) before, after;
        string output;
        JsonElement config;
        try
        {
            await Ok("resource", "create", "restart-me", "ocf:heartbeat:Dummy", "--wait=60");
            await Ok("resource", "create", "stopped-me", "ocf:heartbeat:Dummy", "--disabled");
            before = LastStart(await Ok("cluster", "cib"), "restart-me");

            output = await Ok("resource", "restart", "restart-me", "--wait=60");
            after = LastStart(await Ok("cluster", "cib"), "restart-me");
            settled = await Run(Follower, "status", "wait", "30s");
            config = await Json("resource", "config", "restart-me");
            notRunning = await Run(Follower, "resource", "restart", "stopped-me");
            badTimeout = await Run(Follower, "status", "wait", "soon");
        }
        finally
        {
            await Ok("resource", "delete", "restart-me", "--yes", "--wait=60");
            await Ok("property", "unset", "stonith-enabled");
        }

        Assert.That(output, Does.Contain("restart-me successfully restarted"));
        Assert.That(after.Node, Is.EqualTo(before.Node), "restarted where it ran");
        Assert.That(after.CallId, Is.GreaterThanOrEqualTo(before.CallId + 2), "a stop and a new start were recorded");
        Assert.That(settled.Code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(config.ToString(), Does.Not.Contain("target-role"), "the previous (absent) target-role is restored");
        Assert.That((notRunning.Code, notRunning.Err), Is.EqualTo((ExitCodes.Failure, "error: resource 'stopped-me' is not running; nothing to restart ('hactl resource enable stopped-me' starts it)\n")));
        Assert.That(badTimeout.Code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(badTimeout.Err, Does.Contain("timeout 'soon': give seconds or a duration such as 30s, 10min, 1h"));
    }

    [Test]
    public async Task ResourceUpdate_ReloadsTheAgent_WhenOnlyReloadableParametersChange()
    {
        // ocf:pacemaker:Dummy (OCF 1.1) reloads all its parameters but state; with envfile set it appends
        // "### ACTION @ DATE ###" to that file on every action, on whichever node runs it.
        await Ok("property", "set", "stonith-enabled=false");
        var envfile = Path.Combine(Path.GetTempPath(), $"cmt-reload-{Guid.NewGuid():N}.env");
        List<string> created, reloaded, restarted;
        XElement startRecord;
        try
        {
            await Ok("resource", "create", "reload-me", "ocf:pacemaker:Dummy", $"envfile={envfile}", "fake=1", "--wait=60");
            created = Actions(envfile);
            startRecord = StartRecord(await Ok("cluster", "cib"), "reload-me");

            await Ok("resource", "update", "reload-me", "fake=2", "--wait=60");
            reloaded = Actions(envfile).Skip(created.Count).ToList();

            await Ok("resource", "update", "reload-me", $"state={envfile}.state", "--wait=60");
            restarted = Actions(envfile).Skip(created.Count + reloaded.Count).ToList();
        }
        finally
        {
            await Ok("resource", "delete", "reload-me", "--yes", "--wait=60");
            await Ok("property", "unset", "stonith-enabled");
            File.Delete(envfile);
        }

        Assert.That((string?)startRecord.Attribute("op-force-restart"), Is.EqualTo("  state  "));
        Assert.That((string?)startRecord.Attribute("op-restart-digest"), Is.Not.Null.And.Not.Empty);
        Assert.That(created, Does.Contain("start"));
        Assert.That(reloaded, Does.Contain("reload-agent").And.No.Member("stop").And.No.Member("start"), string.Join(", ", reloaded));
        Assert.That(restarted, Does.Contain("stop").And.Contain("start").And.No.Member("reload-agent"), string.Join(", ", restarted));
    }

    private static List<string> Actions(string envfile) =>
        File.Exists(envfile)
            ? [.. File.ReadLines(envfile).Where(l => l.StartsWith("### ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1])]
            : [];

    private static XElement StartRecord(string cib, string resource) =>
        XDocument.Parse(cib).Descendants("lrm_rsc_op")
            .Single(op => (string?)op.Attribute("operation") == "start" && (string?)op.Parent!.Attribute("id") == resource);

    [Test]
    public async Task ResourceMove_RemovesItsConstraintOnceMoved_OrPutsItBackWhenTheResourceWouldReturn()
    {
        await Ok("property", "set", "stonith-enabled=false");
        (int Code, string Out, string Err) moved, returns, already;
        string stickyBefore, stickyAfter, home, homeAfter, constraints;
        try
        {
            // Sticky: moves and stays once its constraint is gone.
            await Ok("resource", "create", "mv-sticky", "ocf:heartbeat:Dummy", "meta", "resource-stickiness=100", "--wait=60");
            stickyBefore = await RunningNodeAsync("mv-sticky");
            moved = await Run(Follower, "resource", "move", "mv-sticky", new[] { "n1", "n2", "n3" }.First(n => n != stickyBefore), "--wait=60");
            stickyAfter = await RunningNodeAsync("mv-sticky");

            // Prefers its node by 200 without stickiness: it would come back, so the constraint is put back.
            await Ok("resource", "create", "mv-home", "ocf:heartbeat:Dummy", "meta", "resource-stickiness=0", "--wait=60");
            home = await RunningNodeAsync("mv-home");
            await Ok("constraint", "location", "mv-home", "prefers", $"{home}=200", "--wait=60");
            returns = await Run(Follower, "resource", "move", "mv-home", new[] { "n1", "n2", "n3" }.First(n => n != home), "--wait=60");
            await Ok("status", "wait", "60s");
            homeAfter = await RunningNodeAsync("mv-home");
            constraints = await Ok("constraint", "config", "--full");
            already = await Run(Follower, "resource", "move", "mv-home", homeAfter);
        }
        finally
        {
            await Ok("resource", "delete", "mv-sticky", "--yes", "--wait=60");
            await Ok("resource", "delete", "mv-home", "--yes", "--wait=60");
            await Ok("property", "unset", "stonith-enabled");
        }

        Assert.That(moved.Code, Is.Zero, moved.Err);
        Assert.That(moved.Out, Is.EqualTo($"'mv-sticky' moved to {stickyAfter}; the temporary constraint cli-prefer-mv-sticky was removed\n"));
        Assert.That(stickyAfter, Is.Not.EqualTo(stickyBefore));
        Assert.That(returns.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(returns.Err, Does.Contain("'mv-home' would move back").And.Contain("the constraint was put back"));
        Assert.That(constraints, Does.Contain("cli-prefer-mv-home").And.Not.Contain("cli-prefer-mv-sticky"));
        Assert.That(homeAfter, Is.Not.EqualTo(home), "the put-back constraint keeps it where it was moved");
        Assert.That((already.Code, already.Err), Is.EqualTo((ExitCodes.Failure, $"error: resource 'mv-home' already runs on {homeAfter}\n")));
    }

    [Test]
    public async Task ResourceMove_MigratesLive_WhenAllowMigrateIsSet()
    {
        await Ok("property", "set", "stonith-enabled=false");
        var file = Path.Combine(Path.GetTempPath(), $"cmt-mig-{Guid.NewGuid():N}.xml");
        string before, after, cib;
        (int Code, string Out, string Err) moved;
        try
        {
            // Dummy implements migrate_to (a stop) and migrate_from (a start) with its per-node state file.
            await Ok("resource", "create", "mig-me", "ocf:heartbeat:Dummy", "meta", "allow-migrate=true", "resource-stickiness=100", "--wait=60");
            before = await RunningNodeAsync("mig-me");
            var target = new[] { "n1", "n2", "n3" }.First(n => n != before);
            moved = await Run(Follower, "resource", "move", "mig-me", target, "--wait=60");
            after = await RunningNodeAsync("mig-me");
            await Ok("cluster", "cib", file);
            cib = await File.ReadAllTextAsync(file);
        }
        finally
        {
            File.Delete(file);
            await Ok("resource", "delete", "mig-me", "--yes", "--wait=60");
            await Ok("property", "unset", "stonith-enabled");
        }

        Assert.That(moved.Code, Is.Zero, moved.Err);
        Assert.That(after, Is.Not.EqualTo(before));
        var ops = System.Xml.Linq.XDocument.Parse(cib).Descendants("lrm_resource").Where(r => (string?)r.Attribute("id") == "mig-me")
            .SelectMany(r => r.Elements("lrm_rsc_op").Select(o => (
                Node: (string?)r.Ancestors("node_state").First().Attribute("uname"),
                Op: (string?)o.Attribute("operation"), Source: (string?)o.Attribute("migrate_source"), Target: (string?)o.Attribute("migrate_target"),
                Rc: (string?)o.Attribute("rc-code"), Interval: (string?)o.Attribute("interval"))))
            .Where(o => o.Interval == "0" && o.Op != "monitor")
            .ToList();

        // As in Pacemaker's CIB: the target's last operation is the migrate_from naming both nodes (no start), and
        // the source's is the stop that follows its migrate_to (which it replaces as the _last_0 record).
        Assert.That(ops, Is.EquivalentTo(new[]
        {
            ((string?)after, (string?)"migrate_from", (string?)before, (string?)after, (string?)"0", (string?)"0"),
            (before, "stop", null, null, "0", "0"),
        }));
    }

    /// <summary>The node <c>hactl status</c> shows a primitive started on.</summary>
    private async Task<string> RunningNodeAsync(string id)
    {
        var match = System.Text.RegularExpressions.Regex.Match(await Ok("status"), $@"\* {id}\t\([^)]*\):\t Started (\S+)");
        Assert.That(match.Success, Is.True, $"{id} is started");
        return match.Groups[1].Value;
    }

    [Test]
    public async Task StatusQuery_AnswersAsPcs_WithExitCodes()
    {
        await Ok("property", "set", "stonith-enabled=false");
        try
        {
            await Ok("resource", "create", "q-d1", "ocf:heartbeat:Dummy", "--group", "q-grp");
            await Ok("resource", "create", "q-d2", "ocf:heartbeat:Dummy", "--group", "q-grp", "--disabled");
            await Ok("resource", "create", "q-c", "ocf:heartbeat:Dummy", "clone", "--wait=60");

            async Task<(int Code, string Out)> Q(params string[] question)
            {
                var (code, output, error) = await Run(Follower, ["status", "query", "resource", .. question]);
                return (code, output + error);
            }

            Assert.That(await Q("q-d1", "exists"), Is.EqualTo((0, "True\n")));
            Assert.That(await Q("nope", "exists"), Is.EqualTo((2, "False\n")));
            Assert.That(await Q("nope", "exists", "--quiet"), Is.EqualTo((2, "")));
            Assert.That(await Q("q-grp", "get-type"), Is.EqualTo((0, "group\n")));
            Assert.That(await Q("q-c-clone", "get-type"), Is.EqualTo((0, "clone\n")));
            Assert.That(await Q("q-c-clone", "is-type", "clone", "promotable"), Is.EqualTo((2, "False\n")));
            Assert.That(await Q("q-d1", "is-stonith"), Is.EqualTo((2, "False\n")));
            Assert.That(await Q("q-d1", "is-in-group"), Is.EqualTo((0, "True\nq-grp\n")));
            Assert.That(await Q("q-d2", "get-index-in-group"), Is.EqualTo((0, "1\n")));
            Assert.That(await Q("q-grp", "get-members"), Is.EqualTo((0, "q-d1\nq-d2\n")));
            Assert.That(await Q("q-d1", "is-state", "started"), Is.EqualTo((0, "True\n")));
            Assert.That(await Q("q-d2", "is-state", "disabled"), Is.EqualTo((0, "True\n")));
            Assert.That(await Q("q-grp", "is-state", "started"), Is.EqualTo((2, "False\n")), "a group is started when all members are");
            Assert.That(await Q("q-grp", "is-state", "started", "members", "any"), Is.EqualTo((0, "True\n")));
            Assert.That(await Q("q-grp", "is-state", "disabled"), Is.EqualTo((2, "False\n")), "the group itself is not disabled");
            Assert.That(await Q("q-c-clone", "is-state", "started"), Is.EqualTo((0, "True\n")));
            Assert.That(await Q("q-c", "is-state", "started", "instances", "all"), Is.EqualTo((0, "True\n")));
            Assert.That(await Q("q-c", "is-in-clone"), Is.EqualTo((0, "True\nq-c-clone\n")));
            Assert.That(await Q("q-c-clone", "get-nodes"), Is.EqualTo((0, "n1\nn2\nn3\n")));
            Assert.That(await Q("nope", "get-type"), Is.EqualTo((1, "error: resource 'nope' does not exist\n")));
            Assert.That((await Q("q-d1", "is-state", "sleepy")).Code, Is.EqualTo(1), "a malformed question never exits 2");
        }
        finally
        {
            await Ok("resource", "delete", "q-grp", "--yes", "--wait=60");
            await Ok("resource", "delete", "q-c-clone", "--yes", "--wait=60");
            await Ok("property", "unset", "stonith-enabled");
        }
    }

    /// <summary>The node and call id of a resource's last recorded start in a CIB's status section.</summary>
    private static (string Node, int CallId) LastStart(string cib, string resource)
    {
        var doc = System.Xml.Linq.XDocument.Parse(cib);
        var starts = doc.Descendants("lrm_rsc_op")
            .Where(op => (string?)op.Attribute("operation") == "start" && (string?)op.Parent!.Attribute("id") == resource && (string?)op.Attribute("rc-code") == "0")
            .Select(op => ((string)op.Ancestors("node_state").Single().Attribute("uname")!, (int)op.Attribute("call-id")!))
            .ToList();
        Assert.That(starts, Is.Not.Empty, $"{resource} has a recorded start in {string.Join("\n", doc.Descendants("lrm_resource").Where(r => (string?)r.Attribute("id") == resource))}");
        return starts.MaxBy(s => s.Item2);
    }

    [Test]
    public async Task SimulateReplay_ShowsKeptEngineInput_AndSavesIt()
    {
        await Ok("resource", "create", "replay-me", "ocf:heartbeat:Dummy", "--wait=60");
        var list = await Ok("simulate", "--replay", "list");
        var latest = await Ok("simulate", "--replay", "latest");
        var saved = Path.Combine(Path.GetTempPath(), $"cmt-replay-{Guid.NewGuid():N}.xml");
        try
        {
            var first = await Ok("simulate", "--replay", "1", "--save-input", saved);
            var fromFile = await Ok("simulate", "--xml", saved);
            var missing = await Run(Follower, "simulate", "--replay", "999999");

            Assert.That(list, Does.Match(@$"n{_leader + 1} \(leader\): keeps \d+: 1\.\.\d+"));
            Assert.That(latest, Does.Contain("Current cluster status").And.Contain("replay-me\t(ocf:heartbeat:Dummy):"));
            Assert.That(fromFile, Is.EqualTo(first), "the saved input replays to the same output");
            Assert.That(missing.Code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(missing.Err, Does.Contain("engine input 999999 is not kept on any member"));
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [Test]
    public async Task ClusterCib_WritesTheControllersInput_ThatSimulateReads()
    {
        await Ok("resource", "create", "cib-me", "ocf:heartbeat:Dummy", "--disabled");
        await Ok("constraint", "location", "cib-me", "avoids", "n1");
        var file = Path.Combine(Path.GetTempPath(), $"cmt-cib-{Guid.NewGuid():N}.xml");
        try
        {
            await Ok("cluster", "cib", file);
            var (code, output, error) = await Run(Follower, "simulate", "--xml", file);
            var cib = await File.ReadAllTextAsync(file);

            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain("Online: [ n1 n2 n3 ]"), "every member is a node");
            Assert.That(error, Does.Not.Contain("not a configured node"), "constraints on members are not ignored");
            Assert.That(cib, Does.Contain("crm_feature_set=\"3.16.1\""), "per-operation fail counts count, as for the controller");
        }
        finally
        {
            File.Delete(file);
            await Ok("resource", "delete", "cib-me", "--yes");
        }
    }

    [Test]
    public async Task CibPush_AppliesTheFilesEdits_AsOneBatch()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cmt-push-{Guid.NewGuid():N}.xml");
        try
        {
            await Ok("cluster", "cib", file);
            await Ok("-f", file, "resource", "create", "push-a", "ocf:heartbeat:Dummy", "--disabled");
            await Ok("-f", file, "resource", "create", "push-b", "ocf:heartbeat:Dummy", "--disabled");
            await Ok("-f", file, "constraint", "order", "push-a", "then", "push-b");

            var pushed = await Ok("cluster", "cib-push", file, "--config");
            var config = await Json("resource", "config");
            var constraints = await Json("constraint", "config");
            var history = await Json("history", "--limit", "1");

            Assert.That(pushed, Does.Contain("CIB updated: 3 change(s) applied as one batch"));
            Assert.That(config.GetProperty("primitives").EnumerateArray().Select(p => p.GetProperty("id").GetString()), Is.SupersetOf(new[] { "push-a", "push-b" }));
            Assert.That(constraints.GetProperty("order").EnumerateArray().Select(o => o.GetProperty("attributes").GetProperty("constraint_id").GetString()),
                Does.Contain("order-push-a-push-b-mandatory"));
            Assert.That(history[0].GetProperty("changes").EnumerateArray().Select(c => c.GetString()),
                Is.EqualTo(new[] { "put primitive push-a (ocf:heartbeat:Dummy)", "put primitive push-b (ocf:heartbeat:Dummy)", "put order order-push-a-push-b-mandatory (push-a then push-b)" }));
            Assert.That(await Ok("cluster", "cib-push", file, "--config"), Does.Contain("no changes"));
        }
        finally
        {
            File.Delete(file);
            await Run(Follower, "resource", "delete", "push-a", "--yes");
            await Run(Follower, "resource", "delete", "push-b", "--yes");
        }
    }

    [Test]
    public async Task CibPush_KeepsOthersChanges_WithDiffAgainst()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cmt-push-{Guid.NewGuid():N}.xml");
        var original = file + ".orig";
        try
        {
            await Ok("cluster", "cib", file);
            File.Copy(file, original);
            await Ok("-f", file, "resource", "create", "diff-mine", "ocf:heartbeat:Dummy", "--disabled");
            await Ok("resource", "create", "diff-theirs", "ocf:heartbeat:Dummy", "--disabled");
            await Ok("resource", "meta", "diff-theirs", "resource-stickiness=10");

            var (outdated, _, outdatedError) = await Run(Follower, "cluster", "cib-push", file);
            var pushed = await Ok("cluster", "cib-push", file, $"diff-against={original}");
            var ids = (await Json("resource", "config")).GetProperty("primitives").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();

            Assert.That(outdated, Is.EqualTo(ExitCodes.Failure));
            Assert.That(outdatedError, Does.Contain("is older than the cluster's configuration").And.Contain("diff-against=ORIGINAL"));
            Assert.That(pushed, Does.Contain("create resource diff-mine").And.Contain("1 change(s) applied"));
            Assert.That(ids, Is.SupersetOf(new[] { "diff-mine", "diff-theirs" }));
        }
        finally
        {
            File.Delete(file);
            File.Delete(original);
            await Run(Follower, "resource", "delete", "diff-mine", "--yes");
            await Run(Follower, "resource", "delete", "diff-theirs", "--yes");
        }
    }

    [Test]
    public async Task ClusterDestroy_Refuses_WhileClusterdRuns()
    {
        var host = HactlHost.Isolated with { ClusterdConfigFile = _cluster.ConfigPath(0) };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await Hactl.RunAsync(["cluster", "destroy", "--yes"], stdout, stderr, TimeProvider.System, host);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(stderr.ToString(), Does.Contain("clusterd is running on this node").And.Contain("stop it first"));
        Assert.That(File.Exists(_cluster.ConfigPath(0)), Is.True);
        Assert.That((await Json("quorum", "status")).GetProperty("quorate").GetBoolean(), Is.True);
    }

    private static Dictionary<string, string?> Pairs(JsonElement sets) =>
        sets.EnumerateArray().SelectMany(s => s.GetProperty("nvpairs").EnumerateArray())
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("value").GetString());
}
