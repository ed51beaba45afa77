using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Commands.Cluster;

[SupportedOSPlatform("linux")]
public class ClusterSetupCommandTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("hactl-setup-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Hactl.Run(args, stdout, stderr, TimeProvider.System, HactlHost.Isolated);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Out => Path.Combine(_dir, "lab");

    [Test]
    public void Setup_WritesEachNodesConfiguration_WithTheStaticNodeList()
    {
        var (code, output, error) = Run("cluster", "setup", "lab", "n1", "addr=198.18.0.1", "n2", "addr=198.18.0.2:7500", "api=198.18.0.2:7501",
            "198.18.0.3", "q", "addr=198.18.0.4", "witness=true", "--output-dir", Out);

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.StartWith($"Cluster 'lab' (4 nodes) written to {Out}"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "n2", "clusterd.json")));
        var section = json.RootElement.GetProperty("Clusterd");
        Assert.That(section.GetProperty("NodeName").GetString(), Is.EqualTo("n2"));
        Assert.That(section.GetProperty("Nodes").EnumerateArray().Select(n => (n.GetProperty("Name").GetString(), n.GetProperty("RaftEndpoint").GetString(), n.GetProperty("ApiEndpoint").GetString())),
            Is.EqualTo(new[]
            {
                ("n1", "198.18.0.1:7400", "198.18.0.1:7401"),
                ("n2", "198.18.0.2:7500", "198.18.0.2:7501"),
                ("198.18.0.3", "198.18.0.3:7400", "198.18.0.3:7401"),
                ("q", "198.18.0.4:7400", "198.18.0.4:7401"),
            }));
        Assert.That(section.GetProperty("Nodes")[3].GetProperty("Witness").GetBoolean(), Is.True);
        Assert.That(section.GetProperty("Security").GetProperty("CertificateFile").GetString(), Is.EqualTo("/etc/clustermanager/node.pem"));
    }

    [Test]
    public void Setup_AcceptsPcs09NameOption_WithAWarning()
    {
        var (code, output, error) = Run("cluster", "setup", "--name", "lab", "n1", "addr=198.18.0.1", "n2", "addr=198.18.0.2", "--output-dir", Out);

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.StartWith($"Cluster 'lab' (2 nodes) written to {Out}"));
        Assert.That(error, Does.Contain("--name is pcs 0.9 syntax"));
    }

    [Test]
    public void ClusterAuth_IsHostAuth_WithAWarning()
    {
        var (code, _, error) = Run("cluster", "auth", "n1", "addr=node1.example", "-u", "hacluster", "-p", "x");

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("'cluster auth' is pcs 0.9 syntax").And.Contain("node1.example"), "parsed as host auth (its address check)");
    }

    [Test]
    public void Setup_IssuesNodeCertificates_ThatChainToTheClusterCa()
    {
        Run("cluster", "setup", "lab", "n1", "addr=198.18.0.1", "n2", "addr=198.18.0.2", "--output-dir", Out);

        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Out, "ca.pem"));
        using var node = X509Certificate2.CreateFromPemFile(Path.Combine(Out, "n2", "node.pem"), Path.Combine(Out, "n2", "node.key"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.That(chain.Build(node), Is.True);
        Assert.That(node.HasPrivateKey, Is.True);
        Assert.That(node.MatchesHostname("198.18.0.2"), Is.True);
        Assert.That(node.MatchesHostname("198.18.0.1"), Is.False);
    }

    [Test]
    public void Setup_WritesATokenWhoseHashEveryNodeAccepts()
    {
        Run("cluster", "setup", "lab", "n1", "addr=198.18.0.1", "n2", "addr=198.18.0.2", "--output-dir", Out);

        var token = File.ReadAllText(Path.Combine(Out, "admin.token")).Trim();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        Assert.That(File.ReadAllText(Path.Combine(Out, "n1", "api-tokens")), Does.Contain($"admin:{hash}"));
        Assert.That(File.GetUnixFileMode(Path.Combine(Out, "admin.token")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.Combine(Out, "n1", "node.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.Combine(Out, "ca.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Setup_ReplacesTheNodeNamePlaceholder_InDirectories()
    {
        Run("cluster", "setup", "lab", "n1", "addr=127.0.0.1:7000", "api=127.0.0.1:7001", "--output-dir", Out, "--config-dir", "/srv/%n/etc", "--data-dir", "/srv/%n/data");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "n1", "clusterd.json")));
        var section = json.RootElement.GetProperty("Clusterd");
        Assert.That(section.GetProperty("DataDirectory").GetString(), Is.EqualTo("/srv/n1/data"));
        Assert.That(section.GetProperty("Security").GetProperty("CaFile").GetString(), Is.EqualTo("/srv/n1/etc/ca.pem"));
    }

    [Test]
    public void Setup_WritesNoSecrets_WithNoTls()
    {
        Run("cluster", "setup", "lab", "n1", "addr=198.18.0.1", "--output-dir", Out, "--no-tls");

        Assert.That(Directory.EnumerateFiles(Out, "*", SearchOption.AllDirectories).Select(Path.GetFileName), Is.EqualTo(new[] { "clusterd.json" }));
        Assert.That(File.ReadAllText(Path.Combine(Out, "n1", "clusterd.json")), Does.Not.Contain("Security"));
    }

    [Test]
    public void Setup_RefusesANonEmptyDirectory_WithoutForce()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, "keep"), "x");

        var (code, _, error) = Run("cluster", "setup", "lab", "n1", "addr=198.18.0.1", "--output-dir", Out);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("is not empty (use --force"));
    }

    [TestCase(new[] { "n1" }, "node n1: addr=IP is needed")]
    [TestCase(new[] { "n1", "addr=node1.example" }, "is not an IP address")]
    [TestCase(new[] { "n1", "addr=198.18.0.1", "n1", "addr=198.18.0.2" }, "node n1 is given more than once")]
    [TestCase(new[] { "n1", "addr=198.18.0.1", "n2", "addr=198.18.0.1" }, "used twice")]
    [TestCase(new[] { "n1", "addr=198.18.0.1", "transport", "knet" }, "corosync's")]
    [TestCase(new[] { "n1", "addr=198.18.0.1", "color=red" }, "unknown option 'color'")]
    [TestCase(new[] { "q", "addr=198.18.0.1", "witness=true" }, "every node is a witness")]
    [TestCase(new string[0], "give at least one node")]
    public void Setup_RefusesBadNodeLists(string[] nodes, string message)
    {
        var (code, _, error) = Run(["cluster", "setup", "lab", .. nodes, "--output-dir", Out]);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain(message));
        Assert.That(Directory.Exists(Out), Is.False);
    }
}
