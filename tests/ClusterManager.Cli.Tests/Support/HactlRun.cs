using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Support;

/// <summary>Runs hactl in-process and captures what it printed: the tests' one way of calling the CLI.</summary>
internal static class HactlRun
{
    /// <summary>hactl with <paramref name="args"/> on <paramref name="host"/> (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) Run(HactlHost host, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Hactl.Run(args, stdout, stderr, TimeProvider.System, host);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>hactl with <paramref name="args"/> on an isolated host (no environment, no clusterd.json).</summary>
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(HactlHost.Isolated, args);
}
