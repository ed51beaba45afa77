using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Host;

/// <summary>
/// The pcsd role end to end: three real host agents on loopback and a real local account (PAM), driven by hactl's
/// seed commands: host auth, cluster setup (pushed to every node), cluster start/enable/stop/destroy --all, with a
/// cluster that elects a leader in between. Each test has its own known-hosts file; the agents are shared.
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostAgentTests
{
    private HostAgentFleet _fleet = null!;
    private TestAccount _account = null!;
    private string _knownHosts = "";

    [OneTimeSetUp]
    public async Task StartAgents()
    {
        _account = TestAccount.Create(inHaclient: true);
        _fleet = await HostAgentFleet.StartAsync(3);
    }

    [OneTimeTearDown]
    public async Task StopAgents()
    {
        await _fleet.DisposeAsync();
        _account.Dispose();
    }

    [SetUp]
    public void NewKnownHosts() => _knownHosts = Path.Combine(Directory.CreateTempSubdirectory("cmt-host-kh-").FullName, "known-hosts");

    [TearDown]
    public async Task PrintLogsOnFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync(_fleet.Logs());
        }

        Directory.Delete(Path.GetDirectoryName(_knownHosts)!, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> Hactl(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = HactlHost.Isolated with { GetVariable = name => name == "HACTL_KNOWN_HOSTS" ? _knownHosts : null, User = "host-e2e" };
        var code = await Cli.Hactl.RunAsync(args, stdout, stderr, TimeProvider.System, host);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string[] AuthTargets(params int[] nodes) =>
        [.. nodes.SelectMany(i => new[] { HostAgentFleet.NodeName(i), $"addr=127.0.0.1:{_fleet.Ports[i]}" })];

    [Test]
    public async Task HostAuth_StoresTokensAndPinsFingerprints_ForAccountInHaclient()
    {
        var (code, output, error) = await Hactl(["host", "auth", .. AuthTargets(0, 1, 2), "-u", _account.Name, "-p", _account.Password]);

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("n1: Authorized").And.Contain("n3: Authorized").And.Contain("trusted on first use"));
        Assert.That(File.GetUnixFileMode(_knownHosts), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var hosts = JsonDocument.Parse(File.ReadAllText(_knownHosts)).RootElement.GetProperty("known_hosts");
        Assert.That(hosts.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "n1", "n2", "n3" }));
        Assert.That(hosts.GetProperty("n2").GetProperty("fingerprint").GetString(), Does.Match("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"));
        Assert.That(_fleet.Logs(), Does.Not.Contain(_account.Password), "a password in a log");
    }

    [Test]
    public async Task HostAuth_IsRefused_WithWrongPassword()
    {
        var (code, output, error) = await Hactl(["host", "auth", .. AuthTargets(0), "-u", _account.Name, "-p", _account.Password + "x"]);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(output, Does.Not.Contain("Authorized"));
        Assert.That(error, Does.StartWith("error: n1: authentication failed"));
        Assert.That(File.Exists(_knownHosts), Is.False);
    }

    [Test]
    public async Task HostAuth_IsRefused_ForAccountOutsideHaclient()
    {
        using var outsider = TestAccount.Create(inHaclient: false);

        var (code, _, error) = await Hactl(["host", "auth", .. AuthTargets(1), "-u", outsider.Name, "-p", outsider.Password]);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.StartWith("error: n2: authentication failed"));
        Assert.That(_fleet.Logs(), Does.Contain($"{outsider.Name} is not hacluster and not in group haclient"));
    }

    [Test]
    public async Task HostAuth_NamesTheNode_WhenItsAgentIsUnreachable()
    {
        var port = HostAgentFleet.FreePorts(1)[0];

        var (code, _, error) = await Hactl("host", "auth", "n9", $"addr=127.0.0.1:{port}", "-u", _account.Name, "-p", _account.Password, "--request-timeout", "10");

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.StartWith($"error: n9 (127.0.0.1:{port}): unreachable"));
    }

    [Test]
    public async Task ClusterSetup_ChangesNoNode_WhenOneIsNotAuthenticated()
    {
        await Hactl(["host", "auth", .. AuthTargets(0, 1), "-u", _account.Name, "-p", _account.Password]);
        var raft = HostAgentFleet.FreePorts(6);

        var (code, _, error) = await Hactl("cluster", "setup", "lab",
            "n1", $"addr=127.0.0.1:{raft[0]}", $"api=127.0.0.1:{raft[1]}",
            "n2", $"addr=127.0.0.1:{raft[2]}", $"api=127.0.0.1:{raft[3]}",
            "n3", $"addr=127.0.0.1:{raft[4]}", $"api=127.0.0.1:{raft[5]}");

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.StartWith("error: not authenticated to n3").And.Contain("hactl host auth n3"));
        Assert.That(File.Exists(Path.Combine(_fleet.ConfigDirectory(0), "clusterd.json")), Is.False);
    }

    [Test]
    public async Task ClusterStart_IsRefused_WhenTheCertificateFingerprintChanged()
    {
        await Hactl(["host", "auth", .. AuthTargets(0), "-u", _account.Name, "-p", _account.Password]);
        var text = File.ReadAllText(_knownHosts);
        var pinned = JsonDocument.Parse(text).RootElement.GetProperty("known_hosts").GetProperty("n1").GetProperty("fingerprint").GetString()!;
        File.WriteAllText(_knownHosts, text.Replace(pinned, string.Concat(Enumerable.Repeat("AB:", 31)) + "AB", StringComparison.Ordinal));

        var (code, _, error) = await Hactl("cluster", "start", "n1");

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.Contain("n1 (127.0.0.1:").And.Contain("certificate fingerprint changed").And.Contain($"now {pinned}"));
    }

    [Test]
    public async Task SeedCommands_FormAClusterWithALeader_AndStopAllStopsIt()
    {
        var auth = await Hactl(["host", "auth", .. AuthTargets(0, 1, 2), "-u", _account.Name, "-p", _account.Password]);
        var raft = HostAgentFleet.FreePorts(6);
        try
        {
            var setup = await Hactl("cluster", "setup", "myha-cluster",
                "n1", $"addr=127.0.0.1:{raft[0]}", $"api=127.0.0.1:{raft[1]}",
                "n2", $"addr=127.0.0.1:{raft[2]}", $"api=127.0.0.1:{raft[3]}",
                "n3", $"addr=127.0.0.1:{raft[4]}", $"api=127.0.0.1:{raft[5]}");
            var again = await Hactl("cluster", "setup", "other", "n1", $"addr=127.0.0.1:{raft[0]}", $"api=127.0.0.1:{raft[1]}");
            var start = await Hactl("cluster", "start", "--all");
            var enable = await Hactl("cluster", "enable", "--all");
            var clusterDir = Path.Combine(Path.GetDirectoryName(_knownHosts)!, "clusters", "myha-cluster");
            string[] api = ["--server", $"127.0.0.1:{raft[3]}", "--ca-file", Path.Combine(clusterDir, "ca.pem"), "--token-file", Path.Combine(clusterDir, "admin.token")];
            var leader = await WaitForLeaderAsync(api);
            var status = await Hactl(["status", .. api]);
            var stop = await Hactl("cluster", "stop", "--all");
            var afterStop = await Hactl(["quorum", "status", "--request-timeout", "3", .. api]);

            Assert.That(auth.Code, Is.Zero, auth.Err);
            Assert.That(setup.Code, Is.Zero, setup.Err);
            Assert.That(setup.Out, Does.Contain("n3: cluster 'myha-cluster' configuration installed"));
            Assert.That(File.GetUnixFileMode(Path.Combine(_fleet.ConfigDirectory(1), "node.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.Combine(clusterDir, "admin.token")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(again.Code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(again.Err, Does.StartWith("error: n1: it has a cluster configuration already ('myha-cluster')"));
            Assert.That(start.Code, Is.Zero, start.Err);
            Assert.That(start.Out, Does.Contain("n1: clusterd started").And.Contain("n3: clusterd started"));
            Assert.That(enable.Code, Is.Zero, enable.Err);
            Assert.That(leader, Is.AnyOf("n1", "n2", "n3"), _fleet.Logs());
            Assert.That(status.Code, Is.Zero, status.Err);
            Assert.That(status.Out, Does.Contain("n1").And.Contain("n2").And.Contain("n3"));
            Assert.That(stop.Code, Is.Zero, stop.Err);
            Assert.That(stop.Out, Does.Contain("n2: clusterd stopped"));
            Assert.That(afterStop.Code, Is.EqualTo(ExitCodes.Failure));
        }
        finally
        {
            var destroy = await Hactl("cluster", "destroy", "--all", "--yes");
            Assert.That(destroy.Code, Is.Zero, destroy.Err);
            Assert.That(Directory.EnumerateFileSystemEntries(_fleet.ConfigDirectory(2)), Is.Empty);
            Assert.That(Directory.EnumerateFileSystemEntries(_fleet.DataDirectory(2)), Is.Empty);
        }
    }

    [Test]
    public async Task ClusterDestroyAll_NeedsYes_WithoutATerminal()
    {
        await Hactl(["host", "auth", .. AuthTargets(0), "-u", _account.Name, "-p", _account.Password]);
        var known = JsonNode.Parse(File.ReadAllText(_knownHosts))!;
        known["cluster"] = new JsonObject { ["name"] = "lab", ["nodes"] = new JsonArray("n1") };
        File.WriteAllText(_knownHosts, known.ToJsonString());
        var marker = Path.Combine(_fleet.DataDirectory(0), "keep-me");
        Directory.CreateDirectory(_fleet.DataDirectory(0));
        File.WriteAllText(marker, "data");

        var (code, _, error) = await Hactl("cluster", "destroy", "--all");
        var exists = File.Exists(marker);
        File.Delete(marker);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.StartWith("error: Destroy the cluster on n1").And.Contain("--yes"));
        Assert.That(exists, Is.True);
    }

    [Test]
    public async Task HostDeauth_RevokesTheToken()
    {
        await Hactl(["host", "auth", .. AuthTargets(2), "-u", _account.Name, "-p", _account.Password]);
        var token = JsonDocument.Parse(File.ReadAllText(_knownHosts)).RootElement.GetProperty("known_hosts").GetProperty("n3").Clone();

        var deauth = await Hactl("host", "deauth", "n3");
        File.WriteAllText(_knownHosts, JsonSerializer.Serialize(new { format_version = 1, known_hosts = new Dictionary<string, JsonElement> { ["n3"] = token } }));
        var (code, _, error) = await Hactl("cluster", "stop", "n3");

        Assert.That(deauth.Code, Is.Zero, deauth.Err);
        Assert.That(deauth.Out, Does.Contain("n3: token revoked"));
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.StartWith("error: n3: not authenticated"));
    }

    private async Task<string?> WaitForLeaderAsync(string[] api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var (code, output, _) = await Hactl(["quorum", "status", "--output", "json", "--request-timeout", "2", .. api]);
            if (code == 0)
            {
                var root = JsonDocument.Parse(output).RootElement;
                if (root.GetProperty("quorate").GetBoolean() && root.GetProperty("leader").GetString() is { } leader
                    && root.GetProperty("members").GetArrayLength() == 3)
                {
                    return leader;
                }
            }

            await Task.Delay(200);
        }

        return null;
    }
}
