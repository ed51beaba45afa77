using System.Xml;
using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cib;
using ClusterManager.Cli.Editing;
using Grpc.Core;

namespace ClusterManager.Cli.Client;

/// <summary>
/// pcs's <c>-f FILE</c>: the commands read and edit a CIB file instead of the live cluster (then <c>hactl cluster
/// cib-push FILE</c> applies the result in one batch). Reads come from the file (the status from its status section,
/// as <c>crm_mon -x</c>); a change batch is checked as clusterd checks it (<see cref="CibChangeApplier"/>) and written
/// atomically (a temporary file renamed over it), the epoch advanced; a refused batch writes nothing. A missing file
/// is an empty CIB (as pcs creates one), written on the first change.
/// </summary>
internal sealed class FileCluster(string path, string author, TimeProvider time) : IClusterBackend
{
    private static readonly XmlWriterSettings WriteSettings = new()
    {
        Indent = true,
        IndentChars = "  ",
        NewLineChars = "\n",
        OmitXmlDeclaration = true,
        Encoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
    };

    /// <summary>The CIB file.</summary>
    public string Path { get; } = path;

    public string Author { get; } = author;

    /// <summary>An empty CIB, as <c>cibadmin --empty</c> writes it.</summary>
    public static XDocument EmptyCib() => new(new XElement(
        "cib",
        new XAttribute("validate-with", "pacemaker-3.7"),
        new XAttribute("epoch", "0"),
        new XAttribute("num_updates", "0"),
        new XAttribute("admin_epoch", "0"),
        new XElement("configuration", new XElement("crm_config"), new XElement("nodes"), new XElement("resources"), new XElement("constraints")),
        new XElement("status")));

    /// <summary>Reads a CIB file (an empty CIB when <paramref name="file"/> does not exist).</summary>
    /// <exception cref="CibFileException">It cannot be read or is not XML with a <c>&lt;cib&gt;</c> root.</exception>
    public static XDocument Load(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!File.Exists(file))
        {
            return EmptyCib();
        }

        try
        {
            var document = XDocument.Load(file);
            return document.Root?.Name.LocalName == "cib"
                ? document
                : throw new CibFileException($"{file} is not a CIB: the document element is <{document.Root?.Name.LocalName}>, not <cib>");
        }
        catch (XmlException e)
        {
            throw new CibFileException($"{file} is not a CIB: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CibFileException($"cannot read {file}: {e.Message}");
        }
    }

    /// <summary>Parses a CIB document into the state commands work on; without <paramref name="includeStatus"/> the status is left out.</summary>
    /// <exception cref="CibFileException">The document is not a CIB the reader accepts.</exception>
    public static ClusterState ToState(XDocument document, string file, bool includeStatus, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(document);
        var copy = new XDocument(document);
        if (!includeStatus)
        {
            copy.Root!.Elements("status").Remove();
            copy.Root!.Add(new XElement("status"));
        }

        try
        {
            return ClusterState.Parse(copy.ToString(SaveOptions.DisableFormatting), CibChangeApplier.Epoch(document), 0, now);
        }
        catch (CibFormatException e)
        {
            throw new CibFileException($"{file} is not a CIB hactl can read: {e.Message}");
        }
    }

    /// <summary>
    /// The membership as the file records it: every configured node and every node of the status section; a node is
    /// available when its status says it is in the cluster; the DC (<c>dc-uuid</c>) is the leader; quorum from
    /// <c>have-quorum</c>. There is no local node.
    /// </summary>
    public Task<GetStatusResponse> GetStatusAsync(CancellationToken cancellationToken)
    {
        var document = Load(Path);
        var snapshot = ToState(document, Path, includeStatus: true, time.GetUtcNow()).Snapshot;
        var leader = snapshot.Status.DesignatedController?.Value ?? "";
        var response = new GetStatusResponse
        {
            LocalNode = "",
            Leader = leader,
            HasQuorum = snapshot.Status.HaveQuorum,
            Epoch = CibChangeApplier.Epoch(document),
        };
        var names = snapshot.Configuration.Nodes.Select(n => n.Name.Value)
            .Concat(snapshot.Status.Nodes.Select(n => n.Name.Value))
            .Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var state = snapshot.Status.Nodes.FirstOrDefault(n => n.Name.Value == name);
            response.Members.Add(new Member
            {
                Name = name,
                IsLeader = name == leader,
                Status = state is { InMembership: true, ControllerOnline: true } ? "available" : "unavailable",
            });
        }

        return Task.FromResult(response);
    }

    public Task<ClusterState> GetStateAsync(bool includeStatus, bool linearizable, CancellationToken cancellationToken) =>
        Task.FromResult(ToState(Load(Path), Path, includeStatus, time.GetUtcNow()));

    public Task<ClusterState> ReadStateAsync(bool includeStatus, CancellationToken cancellationToken) =>
        GetStateAsync(includeStatus, linearizable: true, cancellationToken);

    public async Task<EditPlan> EditAsync(bool includeStatus, Func<ClusterState, EditPlan> plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var state = await GetStateAsync(includeStatus, linearizable: true, cancellationToken).ConfigureAwait(false);
        var edit = plan(state);
        if (edit.Error is not null || edit.Changes.Count == 0)
        {
            return edit;
        }

        var response = await ApplyAsync(edit.Changes, state.Epoch, cancellationToken).ConfigureAwait(false);
        return edit with { Epoch = response.Epoch };
    }

    public Task<ApplyChangesResponse> ApplyAsync(IEnumerable<Change> changes, long? expectedEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var document = Load(Path);
        var epoch = CibChangeApplier.Epoch(document);
        if (expectedEpoch is { } expected && expected != epoch)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"expected epoch {expected}, but {Path} is at epoch {epoch}"));
        }

        XDocument? edited;
        System.Collections.Immutable.ImmutableArray<string> errors;
        try
        {
            (edited, errors) = CibChangeApplier.Apply(document, [.. changes], time.GetUtcNow());
        }
        catch (CibFormatException e)
        {
            throw new CibFileException($"{Path} is not a CIB hactl can read: {e.Message}");
        }

        if (edited is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, string.Join("; ", errors)));
        }

        Save(edited, Path);
        return Task.FromResult(new ApplyChangesResponse { Epoch = CibChangeApplier.Epoch(edited) });
    }

    /// <summary>Writes <paramref name="document"/> to <paramref name="file"/> atomically: a temporary file beside it, renamed over it.</summary>
    /// <exception cref="CibFileException">It cannot be written.</exception>
    public static void Save(XDocument document, string file)
    {
        ArgumentNullException.ThrowIfNull(document);
        var full = System.IO.Path.GetFullPath(file);
        var temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = XmlWriter.Create(stream, WriteSettings))
            {
                document.Root!.WriteTo(writer);
            }

            File.AppendAllText(temp, "\n");
            if (!OperatingSystem.IsWindows() && File.Exists(full))
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new CibFileException($"cannot write {file}: {e.Message}");
        }
    }

    public string Describe(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Status.Detail.Length > 0 ? exception.Status.Detail : $"refused ({exception.StatusCode})";
    }

    public void Dispose()
    {
        // Nothing held open: every call reads or writes the file whole.
    }
}

/// <summary>The file given with <c>-f</c> cannot be read or written, or is not a CIB.</summary>
internal sealed class CibFileException(string message) : Exception(message);
