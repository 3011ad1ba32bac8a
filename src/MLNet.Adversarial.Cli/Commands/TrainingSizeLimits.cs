using System.Globalization;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// The upper bounds 'train' puts on its size flags before any data is read. The trainers accept any positive size, but
/// a batch or sample count near int.MaxValue overflows the buffers sized from it (2 × batch rows, batch × items) or asks
/// libtorch for terabytes; a thread count in the millions makes OpenMP abort the process. Each bound is far above any
/// useful value and is named, with its flag, in a one-line error. --epochs 0 would ship an untrained model, so it is refused.
/// </summary>
internal static class TrainingSizeLimits
{
    /// <summary>The largest --batch, --g-batch and --d-batch: 2^20 rows per step.</summary>
    public const int MaxBatch = 1 << 20;

    /// <summary>The largest --g-samples (IRGAN generator samples per positive).</summary>
    public const int MaxSamplesPerPositive = 1 << 10;

    /// <summary>The largest --threads.</summary>
    public const int MaxThreads = 1 << 10;

    /// <summary>Throws a <see cref="CliException"/> naming the first flag out of bounds.</summary>
    public static void Check(RecommenderTrainerOptions options)
    {
        int epochs = options switch { CfganTrainer.Options c => c.Epochs, FactorizationTrainerOptions f => f.Epochs, _ => 1 };
        if (epochs <= 0)
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--epochs must be positive (got {epochs}): with no epoch the model would be shipped untrained."));
        if (options.NumberOfThreads is { } threads) InRange("--threads", threads, MaxThreads);
        if (options is CfganTrainer.Options cfgan)
        {
            InRange("--g-batch", cfgan.GeneratorBatchSize, MaxBatch);
            InRange("--d-batch", cfgan.DiscriminatorBatchSize, MaxBatch);
        }
        if (options is FactorizationTrainerOptions factorization) InRange("--batch", factorization.BatchSize, MaxBatch);
        if (options is IrganTrainer.Options irgan) InRange("--g-samples", irgan.GeneratorSamplesPerPositive, MaxSamplesPerPositive);
    }

    private static void InRange(string flag, int value, int max)
    {
        if (value < 1 || value > max) throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{flag} must be in 1..{max:N0} (got {value:N0})."));
    }
}
