using ClusterManager.Daemon.Options;

namespace ClusterManager.Daemon.Tests.Options;

public sealed class ClusterdOptionsValidatorTests
{
    private static ClusterdOptions Valid() => new()
    {
        NodeName = "n1",
        DataDirectory = "/tmp/x",
        Nodes =
        [
            new NodeAddress { Name = "n1", RaftEndpoint = "127.0.0.1:7001", ApiEndpoint = "127.0.0.1:7101" },
            new NodeAddress { Name = "n2", RaftEndpoint = "127.0.0.1:7002", ApiEndpoint = "127.0.0.1:7102" },
        ],
    };

    [Test]
    public void Validate_Succeeds_WhenOptionsValid()
    {
        Assert.That(new ClusterdOptionsValidator().Validate(null, Valid()).Succeeded, Is.True);
    }

    [TestCase("nodename", "NodeName 'n9' is not in Clusterd:Nodes")]
    [TestCase("hostname", "'node2:7002' is not IP:port")]
    [TestCase("duplicate-endpoint", "127.0.0.1:7001 is used twice")]
    [TestCase("duplicate-name", "Name 'n1' appears twice")]
    [TestCase("timeouts", "need 50 <= lower < upper")]
    [TestCase("connect", "ConnectTimeoutMs 500 must be positive and at most RequestTimeoutMs 300")]
    [TestCase("tls-partial", "Clusterd:Security:KeyFile is required when TLS is configured")]
    [TestCase("tls-missing", "Clusterd:Security:CaFile '/nonexistent/ca.pem' does not exist")]
    public void Validate_FailsNamingTheOption_WhenInvalid(string problem, string expected)
    {
        var o = Valid();
        switch (problem)
        {
            case "nodename": o.NodeName = "n9"; break;
            case "hostname": o.Nodes[1].RaftEndpoint = "node2:7002"; break;
            case "duplicate-endpoint": o.Nodes[1].RaftEndpoint = "127.0.0.1:7001"; break;
            case "duplicate-name": o.Nodes[1].Name = "n1"; break;
            case "timeouts": o.UpperElectionTimeoutMs = o.LowerElectionTimeoutMs; break;
            case "connect": o.ConnectTimeoutMs = 500; break;
            case "tls-partial": o.Security = new SecurityOptions { CaFile = "/etc/hostname", CertificateFile = "/etc/hostname" }; break;
            case "tls-missing": o.Security = new SecurityOptions { CaFile = "/nonexistent/ca.pem", CertificateFile = "/etc/hostname", KeyFile = "/etc/hostname" }; break;
        }

        var result = new ClusterdOptionsValidator().Validate(null, o);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Has.Some.Contains(expected));
    }
}
