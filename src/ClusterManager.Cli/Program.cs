namespace ClusterManager.Cli;

/// <summary>The hactl executable.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await Hactl.RunAsync(args, Console.Out, Console.Error, cancellationToken: cancel.Token).ConfigureAwait(false);
    }
}
