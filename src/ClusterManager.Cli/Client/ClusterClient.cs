using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cib;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterManager.Cli.Client;

/// <summary>
/// hactl's one connection to clusterd (<c>ClusterService</c> of proto/clustermanager/v1/cluster.proto): TLS and
/// token, a deadline on every call, reads of status, configuration and history, and writes of change batches with
/// a request id (a retry after "outcome unknown" reuses it, so a batch is applied at most once).
/// Failures are <see cref="RpcException"/>s; <see cref="Describe"/> turns one into the message hactl prints.
/// </summary>
internal sealed partial class ClusterClient : IClusterBackend
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryWindow = TimeSpan.FromSeconds(10);
    private readonly GrpcChannel _channel;
    private readonly ClusterService.ClusterServiceClient _service;
    private readonly TimeProvider _time;
    private readonly X509Certificate2? _ca;
    private readonly X509Certificate2? _clientCertificate;

    public ClusterClient(ClusterEndpoint endpoint, string author, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Author = author;
        _time = time;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (endpoint.Address.Scheme == Uri.UriSchemeHttps)
        {
            _ca = endpoint.CaFile is { } caFile ? LoadCertificate(() => X509CertificateLoader.LoadCertificateFromFile(caFile), caFile) : null;
            _clientCertificate = endpoint is { CertificateFile: { } cert, KeyFile: { } key }
                ? LoadCertificate(() => X509Certificate2.CreateFromPemFile(cert, key), cert)
                : null;
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                // The cluster CA is the only issuer trusted; names are not checked (nodes are addressed by IP).
                RemoteCertificateValidationCallback = _ca is null ? null : (_, certificate, _, _) => IsIssuedByCa(certificate),
                ClientCertificates = _clientCertificate is null ? null : [_clientCertificate],
            };
        }

        _channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        _service = new ClusterService.ClusterServiceClient(_channel);
    }

    public ClusterEndpoint Endpoint { get; }

    /// <summary>A client for another member's API (<c>HOST:PORT</c>) with the same scheme and credentials.</summary>
    public ClusterClient WithAddress(string apiEndpoint, TimeSpan timeout)
    {
        var address = ClusterEndpoint.ParseAddress(apiEndpoint, Endpoint.Address.Scheme == Uri.UriSchemeHttps);
        return new ClusterClient(Endpoint with { Address = address, Timeout = timeout, Source = "the member list" }, Author, _time);
    }

    /// <summary>Recorded in the history as who made a change.</summary>
    public string Author { get; }

    public async Task<GetStatusResponse> GetStatusAsync(CancellationToken cancellationToken) =>
        await _service.GetStatusAsync(new GetStatusRequest(), Options(cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// A kept engine input (the snapshot a transition was computed from, as CIB XML) from this node's archive;
    /// <paramref name="number"/> 0 is the newest. NOT_FOUND when this node does not keep it.
    /// </summary>
    public async Task<GetEngineInputResponse> GetEngineInputAsync(long number, CancellationToken cancellationToken) =>
        await new NodeService.NodeServiceClient(_channel)
            .GetEngineInputAsync(new GetEngineInputRequest { Number = number }, Options(cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// The configuration (and with <paramref name="includeStatus"/> the recorded status) as a parsed CIB.
    /// <paramref name="linearizable"/> reads through the leader (fails without quorum); otherwise this node's copy.
    /// </summary>
    public async Task<ClusterState> GetStateAsync(bool includeStatus, bool linearizable, CancellationToken cancellationToken)
    {
        var request = new GetConfigurationRequest { IncludeStatus = includeStatus, Linearizable = linearizable };
        var response = await RetryUnavailableAsync(() => _service.GetConfigurationAsync(request, Options(cancellationToken)).ResponseAsync, cancellationToken)
            .ConfigureAwait(false);
        return ClusterState.Parse(response.CibXml, response.Epoch, response.Index, _time.GetUtcNow());
    }

    /// <summary>
    /// The state for display: read through the leader so that what was just changed is shown (a write sent through
    /// a follower is applied there a moment later); without quorum, this node's copy, marked <see cref="ClusterState.Stale"/>.
    /// </summary>
    public async Task<ClusterState> ReadStateAsync(bool includeStatus, CancellationToken cancellationToken)
    {
        try
        {
            var request = new GetConfigurationRequest { IncludeStatus = includeStatus, Linearizable = true };
            var response = await _service.GetConfigurationAsync(request, Options(cancellationToken)).ConfigureAwait(false);
            return ClusterState.Parse(response.CibXml, response.Epoch, response.Index, _time.GetUtcNow());
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !IsConnectionFailure(e))
        {
            var state = await GetStateAsync(includeStatus, linearizable: false, cancellationToken).ConfigureAwait(false);
            return state with { Stale = true };
        }
    }

    /// <summary>
    /// The most recent history entries. The node first catches up with the leader (a linearizable read), so that a
    /// change just made through another node is listed; without quorum, this node's history as it is.
    /// </summary>
    public async Task<GetHistoryResponse> GetHistoryAsync(int limit, bool catchUp, CancellationToken cancellationToken)
    {
        if (catchUp)
        {
            await ReadStateAsync(includeStatus: false, cancellationToken).ConfigureAwait(false);
        }

        return await _service.GetHistoryAsync(new GetHistoryRequest { Limit = limit }, Options(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies <paramref name="changes"/> as one batch. When the cluster answers UNAVAILABLE (no leader yet, or the
    /// outcome of a write is unknown) the same request is sent again for a while: the request id makes that safe.
    /// </summary>
    public async Task<ApplyChangesResponse> ApplyAsync(IEnumerable<Change> changes, long? expectedEpoch, CancellationToken cancellationToken)
    {
        var request = new ApplyChangesRequest { RequestId = $"hactl-{Guid.NewGuid():N}", Author = Author };
        if (expectedEpoch is { } epoch)
        {
            request.ExpectedEpoch = epoch;
        }

        request.Changes.AddRange(changes);
        return await RetryUnavailableAsync(() => _service.ApplyChangesAsync(request, Options(cancellationToken)).ResponseAsync, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a call again while clusterd answers UNAVAILABLE without a connection failure ("no quorum" during a
    /// leader election, a write whose outcome is unknown: the same request id makes a repeated write safe). The
    /// window is long enough to ride out an election (clusterd answers after two election timeouts) and short
    /// enough that a node cut off from the majority reports it promptly.
    /// </summary>
    private async Task<T> RetryUnavailableAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var giveUp = _time.GetUtcNow() + TimeSpan.FromTicks(Math.Min(Endpoint.Timeout.Ticks, MaxRetryWindow.Ticks));
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !IsConnectionFailure(e)
                                         && _time.GetUtcNow() + RetryDelay < giveUp)
            {
                await Task.Delay(RetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A read-modify-write: reads the configuration through the leader, lets <paramref name="plan"/> decide the
    /// changes, and applies them only if nobody changed the configuration in between (expected epoch); when
    /// somebody did, it reads again and re-plans (a few times). Returns the plan that was applied.
    /// </summary>
    public async Task<EditPlan> EditAsync(bool includeStatus, Func<ClusterState, EditPlan> plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        for (var attempt = 1; ; attempt++)
        {
            var state = await GetStateAsync(includeStatus, linearizable: true, cancellationToken).ConfigureAwait(false);
            var edit = plan(state);
            if (edit.Error is not null || edit.Changes.Count == 0)
            {
                return edit;
            }

            try
            {
                var response = await ApplyAsync(edit.Changes, state.Epoch, cancellationToken).ConfigureAwait(false);
                return edit with { Epoch = response.Epoch };
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Aborted && attempt < 5)
            {
                // Somebody else changed the configuration since it was read: plan again on the new one.
            }
        }
    }

    /// <summary>
    /// Asks the cluster to fence <paramref name="target"/> now and waits for the outcome up to <paramref name="timeout"/>
    /// (a deadline that replaces the request timeout: a fence may take minutes). Not retried: a fence is not idempotent.
    /// </summary>
    public async Task<FenceNodeResponse> FenceNodeAsync(string target, bool off, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new FenceNodeRequest { Target = target, Off = off, Author = Author };
        var options = Options(cancellationToken).WithDeadline(_time.GetUtcNow().UtcDateTime + timeout);
        return await _service.FenceNodeAsync(request, options).ConfigureAwait(false);
    }

    /// <summary>
    /// The recorded fence events, oldest first; only <paramref name="node"/>'s when given. The node first catches up
    /// with the leader (a linearizable read), so a fence just recorded through another node is listed.
    /// </summary>
    public async Task<GetFenceHistoryResponse> GetFenceHistoryAsync(string? node, CancellationToken cancellationToken)
    {
        await ReadStateAsync(includeStatus: false, cancellationToken).ConfigureAwait(false);
        var request = new GetFenceHistoryRequest();
        if (node is not null)
        {
            request.Node = node;
        }

        return await RetryUnavailableAsync(() => _service.GetFenceHistoryAsync(request, Options(cancellationToken)).ResponseAsync, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The message hactl prints for a failed call: clusterd's own message verbatim, or why it was not reached.</summary>
    public string Describe(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (IsConnectionFailure(exception))
        {
            var reason = Innermost(exception.Status.DebugException)?.Message ?? exception.Status.Detail;
            var hint = Chain(exception.Status.DebugException).Any(e => e is System.Security.Authentication.AuthenticationException)
                ? " (TLS: give the cluster's CA with --ca-file, and check the address is a cluster member)"
                : "";
            return $"cannot reach clusterd at {Endpoint.Address.Authority} (from {Endpoint.Source}): {reason}{hint}";
        }

        return exception.StatusCode switch
        {
            StatusCode.DeadlineExceeded => $"clusterd at {Endpoint.Address.Authority} did not answer within {Endpoint.Timeout.TotalSeconds:0.#} s (--request-timeout)",
            StatusCode.Unauthenticated or StatusCode.PermissionDenied when exception.Status.Detail.Length == 0 =>
                $"clusterd at {Endpoint.Address.Authority} refused the credentials (give --token or a client certificate)",
            _ when exception.Status.Detail.Length > 0 => exception.Status.Detail,
            _ => $"clusterd answered {exception.StatusCode}",
        };
    }

    public void Dispose()
    {
        _channel.Dispose();
        _ca?.Dispose();
        _clientCertificate?.Dispose();
    }

    private CallOptions Options(CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (Endpoint.Token is { } token)
        {
            headers.Add("authorization", $"Bearer {token}");
        }

        return new CallOptions(headers, _time.GetUtcNow().UtcDateTime + Endpoint.Timeout, cancellationToken);
    }

    // gRPC reports a refused connection as UNAVAILABLE and a failed TLS handshake as INTERNAL; both carry the
    // transport's exception.
    private static bool IsConnectionFailure(RpcException exception) =>
        exception.StatusCode is StatusCode.Unavailable or StatusCode.Internal
        && Chain(exception.Status.DebugException).Any(e => e is SocketException or HttpRequestException or System.Security.Authentication.AuthenticationException);

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }

    private static Exception? Innermost(Exception? exception)
    {
        while (exception?.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    private bool IsIssuedByCa(X509Certificate? certificate)
    {
        if (certificate is null || _ca is null)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private static X509Certificate2 LoadCertificate(Func<X509Certificate2> load, string file)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new Commands.UsageException($"cannot read the certificate {file}: {e.Message}");
        }
    }
}

/// <summary>
/// What a read-modify-write command decided: the changes (empty: nothing to do), or an error naming the problem
/// (nothing applied), plus lines to print on success. <see cref="Epoch"/> is set once applied.
/// </summary>
internal sealed record EditPlan(IReadOnlyList<Change> Changes, string? Error, IReadOnlyList<string> Messages)
{
    public long? Epoch { get; init; }

    public static EditPlan Fail(string error) => new([], error, []);

    public static EditPlan Of(IReadOnlyList<Change> changes, params string[] messages) => new(changes, null, messages);
}

/// <summary>The configuration as read: the CIB document (for edits that keep every element as written) and the model.</summary>
internal sealed record ClusterState(XDocument Cib, Model.ClusterSnapshot Snapshot, long Epoch, long Index)
{
    /// <summary>True when read from a node without quorum: it may miss the latest changes.</summary>
    public bool Stale { get; init; }

    /// <summary>Parses clusterd's CIB text.</summary>
    /// <exception cref="CibFormatException">clusterd sent something that is not a CIB (a bug).</exception>
    public static ClusterState Parse(string cibXml, long epoch, long index, DateTimeOffset now)
    {
        var document = XDocument.Parse(cibXml);
        var snapshot = CibReader.Parse(cibXml, now).Snapshot with { Now = now };
        return new ClusterState(document, snapshot, epoch, index);
    }

    /// <summary>The <c>configuration/resources</c> element.</summary>
    public XElement Resources => Section("resources");

    /// <summary>The <c>configuration/constraints</c> element.</summary>
    public XElement Constraints => Section("constraints");

    private XElement Section(string name)
    {
        var configuration = Cib.Root!.Element("configuration") ?? throw new InvalidOperationException("the CIB has no configuration section");
        return configuration.Element(name) ?? new XElement(name);
    }
}
