using System.Text.Json;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Tests.Support;

namespace ClusterManager.Cli.Tests.Commands.Cluster;

public class ClusterNodeCommandsTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("hactl-destroy-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private string WriteNode()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "wal"), "log");
        File.WriteAllText(Path.Combine(_dir, "api-tokens"), "admin:00\n");
        var config = Path.Combine(_dir, "clusterd.json");
        // Port 1 on loopback: no clusterd answers there.
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            Clusterd = new
            {
                NodeName = "n1",
                DataDirectory = data,
                Nodes = new[] { new { Name = "n1", RaftEndpoint = "127.0.0.1:2", ApiEndpoint = "127.0.0.1:1" } },
                Security = new { TokenHashesFile = Path.Combine(_dir, "api-tokens") },
            },
        }));
        return config;
    }

    private static (int Code, string Out, string Err) Run(HactlHost host, params string[] args) => HactlRun.Run(host, args);

    [Test]
    public void Destroy_DeletesDataAndConfiguration_WithYes()
    {
        var config = WriteNode();

        var (code, output, error) = Run(HactlHost.Isolated with { ClusterdConfigFile = config }, "cluster", "destroy", "--yes");

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.StartWith("Cluster configuration and data removed from this node"));
        Assert.That(Directory.EnumerateFileSystemEntries(_dir), Is.Empty);
    }

    [Test]
    public void Destroy_KeepsEverything_WithoutYesAndWithoutTerminal()
    {
        var config = WriteNode();

        var (code, _, error) = Run(HactlHost.Isolated with { ClusterdConfigFile = config }, "cluster", "destroy");

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("--yes"));
        Assert.That(File.Exists(config), Is.True);
        Assert.That(File.Exists(Path.Combine(_dir, "data", "wal")), Is.True);
    }

    [Test]
    public void Destroy_Fails_WithoutAConfiguration()
    {
        var (code, _, error) = Run(HactlHost.Isolated, "cluster", "destroy", "--yes");

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.Contain("nothing to destroy"));
    }
}
