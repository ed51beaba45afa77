using System.Text.Json;
using ClusterManager.Cli.Commands;
using ClusterManager.Daemon.Tests.Cluster;

namespace ClusterManager.Cli.Tests.Cluster;

/// <summary>
/// A cluster made by <c>hactl cluster setup</c> (CA, node certificates, token) runs with TLS, and hactl reaches it
/// over https with the CA and the token, and is refused without them.
/// </summary>
[NonParallelizable]
public sealed class HactlTlsClusterTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Hactl.RunAsync(args, stdout, stderr, TimeProvider.System, HactlHost.Isolated with { User = "tls-e2e" });
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task SetupCluster_ServesHactlOverTls_OnlyWithCaAndToken()
    {
        var root = Directory.CreateTempSubdirectory("cmt-cli-tls-").FullName;
        var output = Path.Combine(root, "lab");
        var ports = TestCluster.FreeLoopbackPorts(6);
        var setup = await Run("cluster", "setup", "lab",
            "n1", $"addr=127.0.0.1:{ports[0]}", $"api=127.0.0.1:{ports[1]}",
            "n2", $"addr=127.0.0.1:{ports[2]}", $"api=127.0.0.1:{ports[3]}",
            "n3", $"addr=127.0.0.1:{ports[4]}", $"api=127.0.0.1:{ports[5]}",
            "--output-dir", output, "--config-dir", Path.Combine(output, "%n"), "--data-dir", Path.Combine(root, "data-%n"));
        Assert.That(setup.Code, Is.Zero, setup.Err);
        await using var cluster = TestCluster.StartWithConfigs(root, [.. new[] { "n1", "n2", "n3" }.Select(n => Path.Combine(output, n, "clusterd.json"))]);
        string[] credentials = ["--server", $"127.0.0.1:{ports[3]}", "--ca-file", Path.Combine(output, "ca.pem"), "--token-file", Path.Combine(output, "admin.token")];

        var quorate = await WaitForQuorumAsync(credentials);
        var set = await Run(["property", "set", "cluster-name=lab", .. credentials]);
        var status = await Run(["status", "--output", "json", .. credentials]);
        var noToken = await Run("status", "--server", $"https://127.0.0.1:{ports[3]}", "--ca-file", Path.Combine(output, "ca.pem"));
        var noCa = await Run("status", "--server", $"https://127.0.0.1:{ports[3]}", "--token-file", Path.Combine(output, "admin.token"));

        Assert.That(quorate, Is.True, cluster.Logs());
        Assert.That(set.Code, Is.Zero, set.Err);
        Assert.That(status.Code, Is.Zero, status.Err);
        Assert.That(JsonDocument.Parse(status.Out).RootElement.GetProperty("cluster_name").GetString(), Is.EqualTo("lab"));
        Assert.That(noToken.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(noToken.Err, Does.StartWith("error: ").And.Not.Contain("cannot reach"));
        Assert.That(noCa.Code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(noCa.Err, Does.StartWith($"error: cannot reach clusterd at 127.0.0.1:{ports[3]}"));
    }

    private static async Task<bool> WaitForQuorumAsync(string[] credentials)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var (code, output, _) = await Run(["quorum", "status", "--output", "json", "--request-timeout", "2", .. credentials]);
            if (code == 0 && JsonDocument.Parse(output).RootElement.GetProperty("quorate").GetBoolean())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
