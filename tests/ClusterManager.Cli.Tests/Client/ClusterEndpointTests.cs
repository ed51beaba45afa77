using System.Text.Json;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Client;

public class ClusterEndpointTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("hactl-endpoint-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private string ClusterdJson(bool tls)
    {
        var path = Path.Combine(_dir, "clusterd.json");
        var security = tls
            ? new Dictionary<string, object> { ["CaFile"] = "/etc/cm/ca.pem", ["CertificateFile"] = "/nonexistent/node.pem", ["KeyFile"] = "/nonexistent/node.key" }
            : new Dictionary<string, object>();
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            Clusterd = new
            {
                NodeName = "node2",
                Nodes = new[]
                {
                    new { Name = "node1", RaftEndpoint = "198.18.0.1:7400", ApiEndpoint = "198.18.0.1:7401" },
                    new { Name = "node2", RaftEndpoint = "198.18.0.2:7400", ApiEndpoint = "198.18.0.2:7401" },
                },
                Security = security,
                Resources = new { OcfRoot = "/opt/ocf" },
            },
        }));
        return path;
    }

    private static HactlHost Host(string configFile, params (string Name, string Value)[] environment) =>
        HactlHost.Isolated with
        {
            ClusterdConfigFile = configFile,
            GetVariable = name => environment.FirstOrDefault(e => e.Name == name).Value,
        };

    private static ClusterEndpoint Resolve(HactlHost host, params string[] args) => ClusterEndpoint.Resolve(new ArgumentCursor(args), host);

    [Test]
    public void Resolve_PrefersTheOption_OverEnvironmentAndConfiguration()
    {
        var endpoint = Resolve(Host(ClusterdJson(false), ("HACTL_SERVER", "198.18.0.9:9")), "--server", "127.0.0.1:7000");

        Assert.That(endpoint.Address.ToString(), Is.EqualTo("http://127.0.0.1:7000/"));
        Assert.That(endpoint.Source, Is.EqualTo("--server"));
    }

    [Test]
    public void Resolve_UsesTheEnvironment_OverTheConfiguration()
    {
        var endpoint = Resolve(Host(ClusterdJson(false), ("HACTL_SERVER", "127.0.0.1:7100")));

        Assert.That((endpoint.Address.Authority, endpoint.Source), Is.EqualTo(("127.0.0.1:7100", "HACTL_SERVER")));
    }

    [Test]
    public void Resolve_UsesThisNodesApiEndpoint_FromClusterdJson()
    {
        var config = ClusterdJson(false);

        var endpoint = Resolve(Host(config));

        Assert.That((endpoint.Address.ToString(), endpoint.Source), Is.EqualTo(("http://198.18.0.2:7401/", config)));
    }

    [Test]
    public void Resolve_UsesHttpsAndTheClusterCa_WhenClusterdRunsTls()
    {
        var endpoint = Resolve(Host(ClusterdJson(true)));

        Assert.That(endpoint.Address.Scheme, Is.EqualTo("https"));
        Assert.That(endpoint.CaFile, Is.EqualTo("/etc/cm/ca.pem"));
        Assert.That(endpoint.CertificateFile, Is.Null, "the node's key is not readable here");
    }

    [Test]
    public void Resolve_FallsBackToTheDefaultPort_OnLoopback()
    {
        var endpoint = Resolve(Host("/nonexistent/clusterd.json"));

        Assert.That(endpoint.Address.ToString(), Is.EqualTo($"http://127.0.0.1:{ClusterEndpoint.DefaultPort}/"));
    }

    [Test]
    public void Resolve_ReadsTheToken_FromOptionEnvironmentOrFile()
    {
        var tokenFile = Path.Combine(_dir, "token");
        File.WriteAllText(tokenFile, "from-file\n");

        Assert.That(Resolve(Host("/nonexistent", ("HACTL_TOKEN", "from-env")), "--token", "from-option").Token, Is.EqualTo("from-option"));
        Assert.That(Resolve(Host("/nonexistent", ("HACTL_TOKEN", "from-env"))).Token, Is.EqualTo("from-env"));
        Assert.That(Resolve(Host("/nonexistent"), "--token-file", tokenFile).Token, Is.EqualTo("from-file"));
        Assert.That(Resolve(Host("/nonexistent", ("HOME", _dir))).Token, Is.Null);
    }

    [Test]
    public void Resolve_UsesHttps_WhenACaFileIsGiven()
    {
        var endpoint = Resolve(Host("/nonexistent"), "-s", "127.0.0.1:7401", "--ca-file", "/tmp/ca.pem");

        Assert.That(endpoint.Address.ToString(), Is.EqualTo("https://127.0.0.1:7401/"));
    }

    [TestCase("--request-timeout", "0")]
    [TestCase("--request-timeout", "soon")]
    [TestCase("--cert-file", "/tmp/c.pem")]
    [TestCase("--token-file", "/nonexistent/token")]
    public void Resolve_RefusesBadOptions(string option, string value) =>
        Assert.Throws<UsageException>(() => Resolve(Host("/nonexistent"), option, value));

    [TestCase("127.0.0.1:7000", false, "http://127.0.0.1:7000/")]
    [TestCase("127.0.0.1", false, "http://127.0.0.1:7401/")]
    [TestCase("127.0.0.1:7000", true, "https://127.0.0.1:7000/")]
    [TestCase("https://198.18.0.1:7000", false, "https://198.18.0.1:7000/")]
    [TestCase("http://198.18.0.1", false, "http://198.18.0.1:7401/")]
    [TestCase("[::1]:7000", false, "http://[::1]:7000/")]
    [TestCase("::1", false, "http://[::1]:7401/")]
    public void ParseAddress_AcceptsHostPortForms(string text, bool tls, string uri) =>
        Assert.That(ClusterEndpoint.ParseAddress(text, tls).ToString(), Is.EqualTo(uri));

    [TestCase("")]
    [TestCase("http://")]
    [TestCase("a b:1")]
    public void ParseAddress_RefusesNonAddresses(string text) =>
        Assert.Throws<UsageException>(() => ClusterEndpoint.ParseAddress(text, false));

    [Test]
    public void ClusterdConfig_ReadsAgentDirectories()
    {
        var config = ClusterdConfig.TryLoad(ClusterdJson(false));

        Assert.That(config, Is.Not.Null);
        Assert.That((config!.NodeName, config.OcfRoot, config.TlsEnabled), Is.EqualTo(("node2", "/opt/ocf", false)));
    }

    [Test]
    public void ClusterdConfig_IsNull_ForAFileThatIsNotJson()
    {
        var path = Path.Combine(_dir, "broken.json");
        File.WriteAllText(path, "{ not json");

        Assert.That(ClusterdConfig.TryLoad(path), Is.Null);
    }
}
