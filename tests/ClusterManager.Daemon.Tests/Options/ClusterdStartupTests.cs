using System.Diagnostics;

namespace ClusterManager.Daemon.Tests.Options;

/// <summary>The clusterd executable's start-up: options are validated before anything starts.</summary>
public sealed class ClusterdStartupTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(string json, params string[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("cmt-daemon-opt-").FullName;
        try
        {
            var config = Path.Combine(dir, "clusterd.json");
            await File.WriteAllTextAsync(config, json);
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clusterd.dll"));
            psi.ArgumentList.Add("--config");
            psi.ArgumentList.Add(config);
            foreach (var arg in extra)
            {
                psi.ArgumentList.Add(arg);
            }

            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private const string Valid = """
        { "Clusterd": { "NodeName": "n1", "DataDirectory": "/tmp/cmt-daemon-unused",
          "Nodes": [ { "Name": "n1", "RaftEndpoint": "127.0.0.1:7001", "ApiEndpoint": "127.0.0.1:7101" } ] } }
        """;

    [Test]
    public async Task Main_Exits0_WhenCheckingValidOptions()
    {
        var (code, output) = await RunAsync(Valid, "--check");

        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("options are valid"));
    }

    [Test]
    public async Task Main_Exits2NamingTheOption_WhenCommandLineOverrideInvalid()
    {
        var (code, output) = await RunAsync(Valid, "--check", "--Clusterd:NodeName=n7");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("Clusterd:NodeName 'n7' is not in Clusterd:Nodes"));
    }

    [Test]
    public async Task Main_Exits2_WhenConfigurationFileMissing()
    {
        var (code, output) = await RunAsync(Valid, "--config", "/nonexistent/clusterd.json");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("/nonexistent/clusterd.json does not exist"));
    }
}
