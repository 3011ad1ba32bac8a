using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Training;
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
/// Two phases for the <see cref="TrainingLoop"/>: BPR pre-training of G ("pretraining", the factorisation epoch of
/// <see cref="PairwiseTrainingEngine"/>; it ends at its epoch cap or when validation stops improving), then the game
/// ("game"), which starts from the best pre-trained G. Pre-training epochs are selectable when G is served.
/// </summary>
internal sealed class IrganTrainingEngine : IEpochTrainer
{
    private readonly IrganTrainer.Options _options;
    private readonly InteractionData _train;
    private readonly int _seed;
    private readonly Device _device;
    private readonly GameState _game;
    private PairwiseTrainingEngine? _pretraining;
    private MatrixFactorizationNetwork? _generator, _discriminator;
    // Held for the engine's lifetime: a temporary Scalar may be finalised while libtorch still reads it.
    private readonly Scalar _inverseTemperature, _inverseSamplingTemperature, _one, _half;

    public IrganTrainingEngine(IrganTrainer.Options options, InteractionData train, int seed)
    {
        if (train.Count == 0) throw new ArgumentException("The training data has no positive interactions (check MinRating).");
        NegativeSampler.EnsureNegativesExist(train);
        _options = options;
        _train = train;
        _seed = seed;
        _device = TorchTraining.ResolveDevice(options.Device);
        _inverseTemperature = (1.0 / options.Temperature).ToScalar();
        _inverseSamplingTemperature = (1.0 / options.DiscriminatorSamplingTemperature).ToScalar();
        _one = 1.0.ToScalar();
        _half = 0.5.ToScalar();
        _game = new GameState(train, train.ActiveUsers().ToArray(), options.BatchSize);
        if (options.InitialGenerator is null)
            _pretraining = new PairwiseTrainingEngine(options.PretrainingOptions(), 0, 0, null, train, text: null, seed);
        Phases =
        [
            new("pretraining", options.InitialGenerator is null ? options.Epochs : 0, EndsOnPlateau: true, Selectable: !options.ServeDiscriminator),
            new("game", 0, EndsOnPlateau: false, Selectable: true, StartsFromPreviousBest: true),
        ];
    }

    public IReadOnlyList<TrainingPhase> Phases { get; }

    public string DivergenceAdvice => _generator is null ? "lower LearningRate or raise L2Regularization" : "lower GeneratorLearningRate or DiscriminatorLearningRate";

    /// <summary>The game starts from <paramref name="start"/> (the best pre-trained G), or from the initial generator.</summary>
    public void EnterPhase(int phase, IRecommenderModel? start)
    {
        var o = _options;
        _pretraining?.Dispose();
        _pretraining = null;
        var rng = new Random(_seed);
        int users = _train.Users.Count, items = _train.Items.Count;
        _generator = new MatrixFactorizationNetwork(users, items, o.EmbeddingDimension, o.InitialStandardDeviation, rng, o.Optimizer, o.GeneratorLearningRate, _device);
        _discriminator = new MatrixFactorizationNetwork(users, items, o.EmbeddingDimension, o.InitialStandardDeviation, rng, o.Optimizer, o.DiscriminatorLearningRate, _device);
        var initial = o.InitialGenerator ?? (FactorizationModel?)start;
        if (initial is null) return; // resuming: the checkpoint's state follows
        _generator.LoadWeights(initial);
        if (o.InitializeDiscriminatorFromGenerator) _discriminator.LoadWeights(initial);
    }

    public EpochOutcome RunEpoch(int epoch, int phase, int? nextEpoch, CancellationToken cancellation)
    {
        if (_pretraining is not null) return _pretraining.RunEpoch(epoch, 0, nextEpoch, cancellation);
        var o = _options;
        var (generator, discriminator) = (_generator!, _discriminator!);
        double discriminatorLoss = 0, generatorLoss = 0;
        long pairs = 0;
        for (int pass = 0; pass < o.DiscriminatorEpochs; pass++)
        {
            var passRng = new Random(unchecked(_seed * 1_000_003 + epoch * 1009 + pass));
            discriminatorLoss += DiscriminatorPass(generator, discriminator, _game, passRng, _device);
            pairs += _train.Count;
        }
        for (int pass = 0; pass < o.GeneratorEpochs; pass++)
        {
            var passRng = new Random(unchecked(_seed * 1_000_003 + epoch * 1009 + 500 + pass));
            var (loss, samples) = GeneratorPass(generator, discriminator, _game, passRng, _device);
            generatorLoss += loss;
            pairs += samples;
        }
        return new EpochOutcome(o.GeneratorEpochs > 0 ? generatorLoss / o.GeneratorEpochs : 0, pairs, Adversarial: true,
            DiscriminatorLoss: o.DiscriminatorEpochs > 0 ? discriminatorLoss / o.DiscriminatorEpochs : null);
    }

    /// <summary>The served network: G in pre-training, then G or D (<see cref="IrganTrainer.Options.ServeDiscriminator"/>).</summary>
    public IRecommenderModel Snapshot()
    {
        if (_pretraining is not null) return _pretraining.Snapshot();
        if (_generator is null) return _options.InitialGenerator!;
        return (_options.ServeDiscriminator ? _discriminator! : _generator).Snapshot(_train.Users, _train.Items);
    }

    /// <summary>In pre-training, the BPR state; in the game, G and D (weights and optimiser state) and the order D's pairs are shuffled in.</summary>
    public void WriteState(BinaryWriter writer)
    {
        if (_pretraining is not null) { _pretraining.WriteState(writer); return; }
        if (_generator is null) return;
        TensorState.WriteModule(writer, _generator);
        TensorState.WriteModule(writer, _discriminator!);
        TensorState.WriteInts(writer, _game.Order);
    }

    public void ReadState(BinaryReader reader)
    {
        if (_pretraining is not null) { _pretraining.ReadState(reader); return; }
        if (_generator is null) return;
        TensorState.ReadModule(reader, _generator);
        TensorState.ReadModule(reader, _discriminator!);
        TensorState.ReadInts(reader, _game.Order);
    }

    public void Dispose()
    {
        _pretraining?.Dispose();
        _generator?.Dispose();
        _discriminator?.Dispose();
        foreach (var s in new[] { _inverseTemperature, _inverseSamplingTemperature, _one, _half }) s.Dispose();
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
                probabilities = generator.ScoreCatalogue(userTensor).mul_(_inverseSamplingTemperature).softmax(1).cpu().data<float>().ToArray();
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
            var real = (batch.Pu * batch.Qi).sum(1).add(batch.Bi, _one); // held alpha: Tensor + Tensor makes a temporary Scalar
            var fake = (batch.Pu * batch.Qj).sum(1).add(batch.Bj, _one);
            // −[log σ(x_real) + log(1 − σ(x_fake))]; logsigmoid, unlike softplus, takes no Scalar arguments (see RowSparseOptimizer).
            var loss = nn.functional.logsigmoid(real).add_(nn.functional.logsigmoid(fake.neg()), _one).mean().neg();
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
            var logProbabilities = batch.Scores().mul(_inverseTemperature).log_softmax(1);
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
            var rewards = discriminator.ScoreCandidates(userRows, sampleTensor).mul_(_half).tanh_();
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
