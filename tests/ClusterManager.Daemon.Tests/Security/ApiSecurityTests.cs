using System.Security.Cryptography.X509Certificates;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Security;
using ClusterManager.Daemon.Tests.Cluster;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterManager.Daemon.Tests.Security;

/// <summary>
/// A 3-node cluster with TLS from a cluster CA between nodes and for the API, and a token file: Raft and forwarding
/// work over TLS, the API accepts a CA-issued client certificate or a valid token, and refuses everything else.
/// </summary>
[NonParallelizable]
public sealed class ApiSecurityTests
{
    private const string Token = "s3cret-token-for-tests";
    private TestPki _pki = null!;
    private TestPki _otherPki = null!;
    private TestCluster _cluster = null!;
    private string _pkiDir = null!;

    [OneTimeSetUp]
    public async Task StartCluster()
    {
        _pki = new TestPki("cluster-ca");
        _otherPki = new TestPki("other-ca");
        _pkiDir = Directory.CreateTempSubdirectory("cmt-daemon-pki-").FullName;
        var caFile = _pki.WriteCa(_pkiDir);
        var tokens = Path.Combine(_pkiDir, "tokens");
        File.WriteAllText(tokens, $"# test tokens\nadmin:{ApiCredentials.Hash(Token)}\n");
        var admin = _pki.Issue("admin");
        _cluster = TestCluster.Start(
            perNode: (i, _) =>
            {
                var (cert, key) = _pki.WriteIssued(TestCluster.NodeName(i), _pkiDir);
                return new Dictionary<string, object>
                {
                    ["Security"] = new Dictionary<string, object>
                    {
                        ["CaFile"] = caFile,
                        ["CertificateFile"] = cert,
                        ["KeyFile"] = key,
                        ["TokenHashesFile"] = tokens,
                    },
                };
            },
            channels: ep => Channel(ep, admin));
        await _cluster.WaitForLeaderAsync();
    }

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        await _cluster.DisposeAsync();
        _pki.Dispose();
        _otherPki.Dispose();
        Directory.Delete(_pkiDir, recursive: true);
    }

    private GrpcChannel Channel(string endpoint, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_pki.Ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return cert is X509Certificate2 c && chain.Build(c);
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return GrpcChannel.ForAddress($"https://{endpoint}", new GrpcChannelOptions { HttpHandler = handler });
    }

    private static ApplyChangesRequest SetProperty(string requestId, string value)
    {
        var request = new ApplyChangesRequest { RequestId = requestId, Author = "tester" };
        request.Changes.Add(new Change { SetProperty = new NameValue { Name = "cluster-name", Value = value } });
        return request;
    }

    [Test]
    public async Task ApplyChanges_ReplicatedOverTls_WhenClientCertificateIssuedByClusterCa()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var follower = Enumerable.Range(0, _cluster.Size).First(i => i != leader);

        var reply = await _cluster.Client(follower).ApplyChangesAsync(SetProperty("tls-1", "secure"), deadline: DateTime.UtcNow.AddSeconds(30));

        for (var i = 0; i < _cluster.Size; i++)
        {
            var config = await _cluster.WaitForEpochAsync(i, reply.Epoch);
            Assert.That(config.CibXml, Does.Contain("value=\"secure\""), TestCluster.NodeName(i));
        }
    }

    [Test]
    public async Task GetStatus_Succeeds_WhenValidTokenWithoutCertificate()
    {
        using var channel = Channel(_cluster.ApiEndpoints[0], null);
        var client = new ClusterService.ClusterServiceClient(channel);

        var status = await client.GetStatusAsync(new GetStatusRequest(), new Metadata { { "authorization", $"Bearer {Token}" } }, DateTime.UtcNow.AddSeconds(30));

        Assert.That(status.LocalNode, Is.EqualTo("n1"));
    }

    [TestCase(null)]
    [TestCase("wrong-token")]
    public void GetStatus_Unauthenticated_WhenNoCertificateAndNoValidToken(string? token)
    {
        using var channel = Channel(_cluster.ApiEndpoints[0], null);
        var client = new ClusterService.ClusterServiceClient(channel);
        var headers = token is null ? new Metadata() : new Metadata { { "authorization", $"Bearer {token}" } };

        var ex = Assert.ThrowsAsync<RpcException>(async () => await client.GetStatusAsync(new GetStatusRequest(), headers, DateTime.UtcNow.AddSeconds(30)));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public void GetStatus_Refused_WhenCertificateIssuedByAnotherCa()
    {
        using var stranger = _otherPki.Issue("stranger");
        using var channel = Channel(_cluster.ApiEndpoints[0], stranger);
        var client = new ClusterService.ClusterServiceClient(channel);

        var ex = Assert.ThrowsAsync<RpcException>(async () => await client.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(30)));

        // The server refuses the handshake; depending on when the client sees the TLS alert (before or after it sent
        // the HTTP/2 preface) gRPC reports that as Unavailable or Internal. Never an answer.
        Assert.That(ex!.StatusCode, Is.AnyOf(StatusCode.Unavailable, StatusCode.Unauthenticated, StatusCode.Internal), ex.Status.Detail);
    }

    [Test]
    public void GetStatus_Fails_WhenClientSpeaksCleartext()
    {
        using var channel = GrpcChannel.ForAddress($"http://{_cluster.ApiEndpoints[0]}");
        var client = new ClusterService.ClusterServiceClient(channel);

        var ex = Assert.ThrowsAsync<RpcException>(async () => await client.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(30)));

        Assert.That(ex!.StatusCode, Is.Not.EqualTo(StatusCode.OK));
    }
}
