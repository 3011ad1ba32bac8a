using System.CommandLine;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>The flags of <c>train --trainer irgan</c> (the game after the BPR pre-training that the model flags describe).</summary>
internal sealed class IrganFlags
{
    private static IrganTrainer.Options Defaults { get; } = new();

    public readonly Option<int> Rounds = new("--gan-epochs") { Description = "IRGAN: rounds of the game after the BPR pre-training of G (--epochs).", DefaultValueFactory = _ => Defaults.AdversarialEpochs, HelpName = "N" };
    public readonly Option<int> DiscriminatorEpochs = new("--d-epochs") { Description = "IRGAN: passes of D over the positives per round.", DefaultValueFactory = _ => Defaults.DiscriminatorEpochs, HelpName = "N" };
    public readonly Option<int> GeneratorEpochs = new("--g-epochs") { Description = "IRGAN: passes of G over the users per round.", DefaultValueFactory = _ => Defaults.GeneratorEpochs, HelpName = "N" };
    public readonly Option<double> GeneratorLearningRate = new("--g-lr") { Description = "IRGAN: G's learning rate in the game.", DefaultValueFactory = _ => Defaults.GeneratorLearningRate };
    public readonly Option<double> DiscriminatorLearningRate = new("--d-lr") { Description = "IRGAN: D's learning rate.", DefaultValueFactory = _ => Defaults.DiscriminatorLearningRate };
    public readonly Option<double> Temperature = new("--temperature") { Description = "IRGAN: τ of G's policy softmax(score / τ).", DefaultValueFactory = _ => Defaults.Temperature };
    public readonly Option<double> SamplingTemperature = new("--d-temperature") { Description = "IRGAN: τ of G's softmax when it draws D's fake items.", DefaultValueFactory = _ => Defaults.DiscriminatorSamplingTemperature };
    public readonly Option<int> Samples = new("--g-samples") { Description = "IRGAN: items G draws per training positive in a policy-gradient step.", DefaultValueFactory = _ => Defaults.GeneratorSamplesPerPositive, HelpName = "N" };
    public readonly Option<double> Mix = new("--mix") { Description = "IRGAN: λ of the importance-sampling proposal (1 − λ)·G + λ·m.", DefaultValueFactory = _ => Defaults.ImportanceMixWeight };
    public readonly Option<string> MixKind = new Option<string>("--mix-with") { Description = "IRGAN: m, uniform over the catalogue or over the user's positives.", DefaultValueFactory = _ => Name(Defaults.ImportanceMix) }.AcceptOnlyFromAmong("uniform", "positives");
    public readonly Option<bool> ServeDiscriminator = new("--serve-d") { Description = "IRGAN: export and serve the discriminator instead of the generator." };

    /// <summary>The options, in the order the help lists them.</summary>
    public IEnumerable<Option> All => [Rounds, DiscriminatorEpochs, GeneratorEpochs, GeneratorLearningRate, DiscriminatorLearningRate, Temperature, SamplingTemperature, Samples, Mix, MixKind, ServeDiscriminator];

    /// <summary>IRGAN options: the shared model, pre-training and serving options of <paramref name="common"/>, and the game flags.</summary>
    public IrganTrainer.Options Create(CommandContext c, AprTrainer.Options common) => new()
    {
        MinRating = common.MinRating, RatingColumnName = common.RatingColumnName, Seed = common.Seed, TopK = common.TopK,
        NumberOfThreads = common.NumberOfThreads, Progress = common.Progress, ValidationData = common.ValidationData,
        CancellationToken = common.CancellationToken, EarlyStoppingPatience = common.EarlyStoppingPatience,
        EmbeddingDimension = common.EmbeddingDimension, Epochs = common.Epochs, LearningRate = common.LearningRate,
        L2Regularization = common.L2Regularization, BatchSize = common.BatchSize, NegativeSampler = common.NegativeSampler,
        AdversarialEpochs = c.Get(Rounds), DiscriminatorEpochs = c.Get(DiscriminatorEpochs), GeneratorEpochs = c.Get(GeneratorEpochs),
        GeneratorLearningRate = c.Get(GeneratorLearningRate), DiscriminatorLearningRate = c.Get(DiscriminatorLearningRate),
        Temperature = c.Get(Temperature), DiscriminatorSamplingTemperature = c.Get(SamplingTemperature),
        GeneratorSamplesPerPositive = c.Get(Samples), ImportanceMixWeight = c.Get(Mix),
        ImportanceMix = c.Get(MixKind) == "positives" ? ImportanceSamplingMix.UserPositives : ImportanceSamplingMix.Uniform,
        ServeDiscriminator = c.Get(ServeDiscriminator),
    };

    private static string Name(ImportanceSamplingMix mix) => mix == ImportanceSamplingMix.UserPositives ? "positives" : "uniform";
}
