using System.Diagnostics;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The IRGAN minimax game on two matrix-factorisation networks (Wang et al., SIGIR 2017). Each round:
/// <list type="bullet">
/// <item>D, for <see cref="IrganTrainer.Options.DiscriminatorEpochs"/> passes: every training positive (u, i) is paired
/// with an item j drawn from G's softmax for u, and D maximises log σ(x_ui) + log(1 − σ(x_uj)).</item>
/// <item>G, for <see cref="IrganTrainer.Options.GeneratorEpochs"/> passes over the users: items are drawn from the proposal
/// (1 − λ)·p_θ(·|u) + λ·m, rewarded by D with 2σ(x_uj) − 1, re-weighted by p_θ / proposal (importance sampling), and G
/// takes a REINFORCE step on −Σ reward · log p_θ(j|u), with p_θ = softmax(score / τ) over the whole catalogue.</item>
/// </list>
/// After each round the served network is validated; the best validated model (including the pre-trained G, when G is
/// served) is returned.
/// </summary>
internal sealed class IrganTrainingEngine
{
    private readonly IrganTrainer.Options _options;
    private readonly int _seed;
    private readonly Action<string>? _log;
    // Held for the engine's lifetime: a temporary Scalar may be finalised while libtorch still reads it.
    private Scalar? _inverseTemperature, _inverseSamplingTemperature, _one, _half;

    public IrganTrainingEngine(IrganTrainer.Options options, int seed, Action<string>? log)
    {
        _options = options;
        _seed = seed;
        _log = log;
    }

    /// <summary>The served network's state at the end of training.</summary>
    public TrainingCheckpoint? LastCheckpoint { get; private set; }

    /// <summary>Plays the game from <paramref name="pretraining"/>'s selected model; its history comes first in the result.</summary>
    public TrainingResult<FactorizationModel> Train(InteractionData train, TrainingResult<FactorizationModel> pretraining, Func<FactorizationModel, double>? validate)
    {
        Runtime.TorchSharpNativeLoader.EnsureLoaded(); // before torch's static constructor: see PairwiseTrainingEngine
        return TrainWithThreads(train, pretraining, validate);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private TrainingResult<FactorizationModel> TrainWithThreads(InteractionData train, TrainingResult<FactorizationModel> pretraining, Func<FactorizationModel, double>? validate)
    {
        _inverseTemperature ??= (1.0 / _options.Temperature).ToScalar();
        _inverseSamplingTemperature ??= (1.0 / _options.DiscriminatorSamplingTemperature).ToScalar();
        _one ??= 1.0.ToScalar();
        _half ??= 0.5.ToScalar();
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(_options.NumberOfThreads ?? 1);
        try
        {
            return TrainCore(train, pretraining, validate);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private TrainingResult<FactorizationModel> TrainCore(InteractionData train, TrainingResult<FactorizationModel> pretraining, Func<FactorizationModel, double>? validate)
    {
        var o = _options;
        if (train.Count == 0) throw new ArgumentException("The training data has no positive interactions (check MinRating).");
        NegativeSampler.EnsureNegativesExist(train);
        var device = PairwiseTrainingEngine.ResolveDevice(o.Device);
        int d = o.EmbeddingDimension;
        var rng = new Random(_seed);
        using var generator = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, d, o.InitialStandardDeviation, rng, o.Optimizer, o.GeneratorLearningRate, device);
        using var discriminator = new MatrixFactorizationNetwork(train.Users.Count, train.Items.Count, d, o.InitialStandardDeviation, rng, o.Optimizer, o.DiscriminatorLearningRate, device);
        generator.LoadWeights(pretraining.Model);
        if (o.InitializeDiscriminatorFromGenerator) discriminator.LoadWeights(pretraining.Model);
        var served = o.ServeDiscriminator ? discriminator : generator;

        int offset = pretraining.History.Count;
        int totalEpochs = offset + o.AdversarialEpochs;
        // The pre-training epochs count against the whole run, as their progress reports did.
        var history = pretraining.History.Select(h => h with { TotalEpochs = totalEpochs }).ToList();
        // The pre-trained G is a candidate of model selection when G is served; a fresh D is not.
        FactorizationModel? best = null;
        double bestMetric = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        if (validate is not null && !o.ServeDiscriminator)
        {
            best = pretraining.Model;
            bestEpoch = pretraining.SelectedEpoch;
            bestMetric = pretraining.History.FirstOrDefault(h => h.Epoch == bestEpoch)?.ValidationMetric ?? validate(best);
        }

        var activeUsers = train.ActiveUsers().ToArray();
        var game = new GameState(train, activeUsers, o.BatchSize);
        for (int round = 1; round <= o.AdversarialEpochs; round++)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            int epoch = offset + round;
            var clock = Stopwatch.StartNew();
            double discriminatorLoss = 0, generatorLoss = 0;
            long pairs = 0;
            for (int pass = 0; pass < o.DiscriminatorEpochs; pass++)
            {
                var passRng = new Random(unchecked(_seed * 1_000_003 + epoch * 1009 + pass));
                discriminatorLoss += DiscriminatorPass(generator, discriminator, game, passRng, device);
                pairs += train.Count;
            }
            for (int pass = 0; pass < o.GeneratorEpochs; pass++)
            {
                var passRng = new Random(unchecked(_seed * 1_000_003 + epoch * 1009 + 500 + pass));
                var (loss, samples) = GeneratorPass(generator, discriminator, game, passRng, device);
                generatorLoss += loss;
                pairs += samples;
            }
            clock.Stop();

            double? metric = null;
            if (validate is not null)
            {
                var snapshot = served.Snapshot(train.Users, train.Items);
                metric = validate(snapshot);
                if (metric > bestMetric) { bestMetric = metric.Value; best = snapshot; bestEpoch = epoch; sinceBest = 0; }
                else sinceBest++;
            }
            var report = new TrainingEpochReport(epoch, totalEpochs, o.GeneratorEpochs > 0 ? generatorLoss / o.GeneratorEpochs : double.NaN, metric,
                clock.Elapsed.TotalSeconds, pairs, Adversarial: true,
                DiscriminatorLoss: o.DiscriminatorEpochs > 0 ? discriminatorLoss / o.DiscriminatorEpochs : null);
            history.Add(report);
            _log?.Invoke(report.ToString());
            o.Progress?.Report(report);
            if (o.GeneratorEpochs > 0 && !double.IsFinite(report.Loss) || report.DiscriminatorLoss is { } dl && !double.IsFinite(dl))
                throw new InvalidOperationException($"Training diverged at epoch {epoch} (G loss {report.Loss}, D loss {report.DiscriminatorLoss}); lower GeneratorLearningRate or DiscriminatorLearningRate.");
            if (validate is not null && o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience)
            {
                _log?.Invoke($"early stopping after epoch {epoch}: no improvement for {sinceBest} validated epochs; keeping epoch {bestEpoch}");
                break;
            }
        }

        int lastEpoch = history.Count == 0 ? 0 : history[^1].Epoch;
        LastCheckpoint = TrainingCheckpoint.Capture(served, train, lastEpoch, new ModelSelectionState(best, bestMetric, bestEpoch, sinceBest),
            HyperParameterSet.For<IrganTrainer.Options>().CheckpointSettings(o, _seed));
        if (best is not null) return new TrainingResult<FactorizationModel>(best, history, bestEpoch);
        return new TrainingResult<FactorizationModel>(served.Snapshot(train.Users, train.Items), history, lastEpoch);
    }

    /// <summary>Reusable buffers and the positives in the layouts the passes need.</summary>
    private sealed class GameState(InteractionData train, int[] activeUsers, int batchSize)
    {
        public readonly InteractionData Train = train;
        public readonly int[] ActiveUsers = activeUsers;
        public readonly long[] PairUsers = new long[train.Count];
        public readonly long[] PairPositives = new long[train.Count];
        public readonly long[] PairFakes = new long[train.Count];
        public readonly int[] Order = Enumerable.Range(0, train.Count).ToArray();
        public readonly RowDeduplicator UserRows = new(train.Users.Count);
        public readonly RowDeduplicator ItemRows = new(train.Items.Count);
        public readonly long[] RowBuffer = new long[2 * batchSize];
        public readonly long[] InverseBuffer = new long[2 * batchSize];
        public readonly CatalogueSampler Sampler = new(train.Items.Count);
        public readonly float[] Weights = new float[train.Items.Count];
    }

    /// <summary>Users per softmax computed when drawing D's fakes (bounds the [users, items] probability block).</summary>
    private const int SamplingUsersPerBlock = 256;

    /// <summary>One pass of D: every positive against one item drawn from G; returns the mean loss per pair.</summary>
    private double DiscriminatorPass(MatrixFactorizationNetwork generator, MatrixFactorizationNetwork discriminator, GameState game, Random rng, Device device)
    {
        var o = _options;
        var train = game.Train;
        int itemCount = train.Items.Count;
        var offsets = train.Offsets;
        // Draw each user's fakes from G (temperature DiscriminatorSamplingTemperature), block by block of users.
        for (int start = 0; start < game.ActiveUsers.Length; start += SamplingUsersPerBlock)
        {
            int len = Math.Min(SamplingUsersPerBlock, game.ActiveUsers.Length - start);
            var users = game.ActiveUsers.AsSpan(start, len);
            float[] probabilities;
            using (var scope = torch.NewDisposeScope())
            {
                var userTensor = torch.tensor(users.ToArray().Select(u => (long)u).ToArray(), device: device);
                probabilities = generator.ScoreCatalogue(userTensor).mul_(_inverseSamplingTemperature!).softmax(1).cpu().data<float>().ToArray();
            }
            for (int k = 0; k < len; k++)
            {
                int u = users[k];
                var weights = game.Weights.AsSpan();
                probabilities.AsSpan(k * itemCount, itemCount).CopyTo(weights);
                var positives = train.ItemsOf(u);
                if (o.ExcludePositivesFromFakes) foreach (var i in positives) weights[i] = 0;
                if (game.Sampler.Prepare(weights) <= 0)
                {
                    // G put all its mass (to float precision) on the positives: draw uniformly among the other items.
                    weights.Fill(1f);
                    foreach (var i in positives) weights[i] = 0;
                    game.Sampler.Prepare(weights);
                }
                for (int p = offsets[u]; p < offsets[u + 1]; p++)
                {
                    game.PairUsers[p] = u;
                    game.PairPositives[p] = train.ItemIndices[p];
                    game.PairFakes[p] = game.Sampler.Draw(rng);
                }
            }
        }

        rng.Shuffle(game.Order);
        double lossSum = 0;
        var us = new long[o.BatchSize];
        var ps = new long[o.BatchSize];
        var fs = new long[o.BatchSize];
        for (int start = 0; start < game.Order.Length; start += o.BatchSize)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            int len = Math.Min(o.BatchSize, game.Order.Length - start);
            for (int k = 0; k < len; k++)
            {
                int pair = game.Order[start + k];
                us[k] = game.PairUsers[pair];
                ps[k] = game.PairPositives[pair];
                fs[k] = game.PairFakes[pair];
            }
            using var scope = torch.NewDisposeScope();
            var batch = GatherPairs(discriminator, game, us.AsSpan(0, len), ps.AsSpan(0, len), fs.AsSpan(0, len), device);
            var real = (batch.Pu * batch.Qi).sum(1).add(batch.Bi, _one!); // held alpha: Tensor + Tensor makes a temporary Scalar
            var fake = (batch.Pu * batch.Qj).sum(1).add(batch.Bj, _one!);
            // −[log σ(x_real) + log(1 − σ(x_fake))]; logsigmoid, unlike softplus, takes no Scalar arguments (see RowSparseOptimizer).
            var loss = nn.functional.logsigmoid(real).add_(nn.functional.logsigmoid(fake.neg()), _one!).mean().neg();
            loss.backward();
            MatrixFactorizationNetwork.AddL2Gradient(batch, o.DiscriminatorL2Regularization);
            discriminator.Step(batch, o.UseItemBias);
            lossSum += loss.item<float>() * len;
        }
        return lossSum / game.Order.Length;
    }

    private static MatrixFactorizationNetwork.Batch GatherPairs(MatrixFactorizationNetwork net, GameState game, ReadOnlySpan<long> users,
        ReadOnlySpan<long> positives, ReadOnlySpan<long> negatives, Device device)
    {
        int len = users.Length;
        int userCount = game.UserRows.Deduplicate(users, [], game.RowBuffer, game.InverseBuffer);
        var userRows = torch.tensor(game.RowBuffer.AsSpan(0, userCount).ToArray(), device: device);
        var userInverse = torch.tensor(game.InverseBuffer.AsSpan(0, len).ToArray(), device: device);
        int itemCount = game.ItemRows.Deduplicate(positives, negatives, game.RowBuffer, game.InverseBuffer);
        var itemRows = torch.tensor(game.RowBuffer.AsSpan(0, itemCount).ToArray(), device: device);
        var itemInverse = torch.tensor(game.InverseBuffer.AsSpan(0, 2 * len).ToArray(), device: device);
        return net.Gather(userRows, userInverse, itemRows, itemInverse);
    }

    /// <summary>One pass of G over the users in batches; returns the mean surrogate loss per batch and the number of items drawn.</summary>
    private (double Loss, long Samples) GeneratorPass(MatrixFactorizationNetwork generator, MatrixFactorizationNetwork discriminator, GameState game, Random rng, Device device)
    {
        var o = _options;
        var train = game.Train;
        int itemCount = train.Items.Count;
        var users = game.ActiveUsers.ToArray();
        rng.Shuffle(users);
        double lossSum = 0;
        int batches = 0;
        long drawn = 0;
        float mix = (float)o.ImportanceMixWeight;
        for (int start = 0; start < users.Length; start += o.GeneratorUsersPerBatch)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            int len = Math.Min(o.GeneratorUsersPerBatch, users.Length - start);
            var batchUsers = users.AsSpan(start, len);
            int maxSamples = 0;
            foreach (var u in batchUsers) maxSamples = Math.Max(maxSamples, o.GeneratorSamplesPerPositive * train.ItemsOf(u).Length);

            using var scope = torch.NewDisposeScope();
            var userRows = torch.tensor(batchUsers.ToArray().Select(u => (long)u).ToArray(), device: device);
            var batch = generator.GatherCatalogue(userRows);
            var logProbabilities = batch.Scores().mul(_inverseTemperature!).log_softmax(1);
            var probabilities = logProbabilities.detach().exp().cpu().data<float>().ToArray();

            var samples = new long[len * maxSamples];
            var correction = new float[len * maxSamples]; // p_θ / proposal, divided by the user's sample count; 0 pads
            for (int k = 0; k < len; k++)
            {
                int u = batchUsers[k];
                var positives = train.ItemsOf(u);
                int count = o.GeneratorSamplesPerPositive * positives.Length;
                var p = probabilities.AsSpan(k * itemCount, itemCount);
                var proposal = game.Weights.AsSpan();
                if (mix == 0) p.CopyTo(proposal);
                else if (o.ImportanceMix == ImportanceSamplingMix.Uniform)
                {
                    float uniform = mix / itemCount;
                    for (int i = 0; i < itemCount; i++) proposal[i] = (1 - mix) * p[i] + uniform;
                }
                else
                {
                    for (int i = 0; i < itemCount; i++) proposal[i] = (1 - mix) * p[i];
                    float share = mix / positives.Length;
                    foreach (var i in positives) proposal[i] += share;
                }
                game.Sampler.Prepare(proposal);
                for (int s = 0; s < count; s++)
                {
                    int item = game.Sampler.Draw(rng);
                    samples[k * maxSamples + s] = item;
                    correction[k * maxSamples + s] = p[item] / proposal[item] / count;
                }
                // Pads repeat a drawn item with weight 0 (item 0 could be outside the policy: log p = −∞, and 0·∞ is NaN).
                samples.AsSpan(k * maxSamples + count, maxSamples - count).Fill(samples[k * maxSamples]);
                drawn += count;
            }

            var sampleTensor = torch.tensor(samples, [len, maxSamples], device: device);
            // D's reward 2σ(x_uj) − 1 = tanh(x_uj / 2), as in the released IRGAN code, times the importance weight.
            var rewards = discriminator.ScoreCandidates(userRows, sampleTensor).mul_(_half!).tanh_();
            var weights = rewards.mul_(torch.tensor(correction, [len, maxSamples], device: device));
            using var perUser = (-1.0 / len).ToScalar();
            var loss = logProbabilities.gather(1, sampleTensor).mul(weights).sum().mul(perUser);
            loss.backward();
            generator.Step(batch, o.UseItemBias);
            lossSum += loss.item<float>();
            batches++;
        }
        return (batches == 0 ? 0 : lossSum / batches, drawn);
    }
}
