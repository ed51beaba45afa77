using System.Net;
using DotNext.Buffers;
using DotNext.Net;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace ClusterManager.Daemon.Raft;

/// <summary>The Raft membership list, persisted in the data directory (DotNext 6.12 leaves the address codec to us).</summary>
internal sealed class EndPointStorage(string path) : PersistentClusterConfigurationStorage<EndPoint>(path)
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> output) => output.WriteEndPoint(address);

    protected override EndPoint Decode(ref SequenceReader reader) => reader.ReadEndPoint();

    /// <summary>
    /// Static bootstrap (corosync's nodelist): when nothing is stored yet, store <paramref name="members"/> as
    /// version 0 so that every node starts with the same configuration and ColdStart can stay off. Returns whether
    /// the list was written. A stored list always wins: later membership changes are Raft entries.
    /// </summary>
    public async Task<bool> BootstrapAsync(IReadOnlyCollection<EndPoint> members, CancellationToken cancellationToken)
    {
        var (stored, _) = await LoadConfigurationAsync(cancellationToken).ConfigureAwait(false);
        using (stored)
        {
            if (!stored.IsEmpty)
            {
                return false;
            }
        }

        // The serialised form is private to DotNext; an in-memory storage with the same codec produces it.
        using var scratch = new ScratchStorage();
        var builder = scratch.CreateInitialConfigurationBuilder();
        foreach (var member in members)
        {
            builder.Add(member);
        }

        builder.Build();
        var (bytes, version) = await scratch.ExportAsync(cancellationToken).ConfigureAwait(false);
        using (bytes)
        {
            await SaveConfigurationAsync(bytes.Memory, version, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private sealed class ScratchStorage : InMemoryClusterConfigurationStorage<EndPoint>
    {
        protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> output) => output.WriteEndPoint(address);

        protected override EndPoint Decode(ref SequenceReader reader) => reader.ReadEndPoint();

        public ValueTask<(MemoryOwner<byte> Configuration, long Version)> ExportAsync(CancellationToken cancellationToken) =>
            LoadConfigurationAsync(cancellationToken);
    }
}
