using ClusterManager.Policy;

namespace ClusterManager.Cli.Output;

/// <summary>Renders <see cref="ScoreEntry"/> rows as <c>crm_simulate -s</c> prints them.</summary>
public static class ScoreWriter
{
    /// <summary>
    /// <c>pcmk__primitive_assign: rsc1 allocation score on node1: 0</c>, or for promotion scores
    /// <c>rsc1:0 promotion score on node1: 10</c>.
    /// </summary>
    public static string Line(ScoreEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Promotion
            ? $"{entry.Resource} promotion score on {entry.Node}: {entry.Score}"
            : $"{entry.Function}: {entry.Resource} allocation score on {entry.Node}: {entry.Score}";
    }
}
