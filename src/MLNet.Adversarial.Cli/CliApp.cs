using System.CommandLine;
using MLNet.Adversarial.Cli.Commands;

namespace MLNet.Adversarial.Cli;

/// <summary>Builds the command tree and runs it; the tests call <see cref="Run"/> in-process.</summary>
internal static class CliApp
{
    public static RootCommand BuildRoot() => new("Train, evaluate, export and query BPR / APR (adversarial) recommenders.")
    {
        ScaleCommand.Create(),
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        RecommendCommand.Create(),
        ExportCommand.Create(),
        ReproduceCommand.Create(),
        ScoreCommand.Create(),
        BenchCommand.Create(),
        AuditCommand.Create(),
        PrivacyTradeoffCommand.Create(),
        TextBenchCommand.Create(),
    };

    /// <summary>Parses <paramref name="args"/>, runs the command and returns the exit code (0 on success).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = BuildRoot().Parse(args);
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
