"""A :class:`~lime_reasoning.proving.search.Proposer` from a trained run: beam search over a batch of goals.

The source of each goal is written exactly as MetaMathStep writes its examples
(:func:`~lime_reasoning.proving.search.goal_source`), so the model sees what it was trained on. Batches are formed as in evaluation
(:func:`~lime_reasoning.evaluation.decoding.decode_batches`), and each candidate's log-probability is
the sum of its tokens' log-probabilities under the beams (``compute_transition_scores``), not the
length-normalised beam score: the search adds them up along a proof. What the model writes is not
parsed here; the search's checker refuses whatever is not a step.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from lime_reasoning.errors import LimeError
from lime_reasoning.evaluation.decoding import decode_batches
from lime_reasoning.evaluation.runner import UNKNOWN_WARNING, unknown_share
from lime_reasoning.metamath.database import Assertion, Database
from lime_reasoning.modeling.model import load_model
from lime_reasoning.modeling.vocabulary import PAD_ID, load_tokenizer
from lime_reasoning.proving.search import goal_source
from lime_reasoning.ragged import Ragged


class ModelProposer:
    """Candidate steps from the model saved in ``run`` for goals of ``database``'s theorems."""

    def __init__(self, run: Path | str, database: Database, *, max_length: int = 256, batch_tokens: int = 16384,
                 device: torch.device | None = None) -> None:
        self.run = Path(run)
        self.database = database
        self.model = load_model(self.run)
        self.tokenizer = load_tokenizer(self.run)
        self.device = device or torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.model.to(self.device).eval()
        self.positions = self.model.config.max_position_embeddings
        self.max_new_tokens = min(max_length, self.positions - 1)  # the decoder's positions include its start token
        self.batch_tokens = batch_tokens

    def check_vocabulary(self, theorems: Sequence[Assertion]) -> None:
        """A :class:`LimeError` when most tokens of the theorems' statements are unknown to the model."""
        share = unknown_share(self.tokenizer, [goal_source(t, t.expression) for t in theorems])
        if share > UNKNOWN_WARNING:
            raise LimeError(f"{share:.0%} of the tokens of the theorems to prove are not in the vocabulary of "
                            f"{self.run}: it cannot express {self.database.path.name}'s statements")

    @torch.no_grad()
    def propose(self, theorem: str, goals: list[str], k: int) -> list[list[tuple[str, float]]]:
        """The ``k`` best targets for every goal, best first, with summed log-probabilities."""
        proved = self.database.assertion(theorem)
        if proved is None:
            raise LimeError(f"{self.database.path}: no theorem labelled {theorem}")
        encodings = self.tokenizer.encode_batch([goal_source(proved, goal) for goal in goals])
        fits = [i for i, e in enumerate(encodings) if len(e.ids) <= self.positions]
        results: list[list[tuple[str, float]]] = [[] for _ in goals]
        if not fits:
            return results
        sources = Ragged.from_rows([encodings[i].ids for i in fits])
        for rows in decode_batches(sources.lengths, k, self.batch_tokens):
            input_ids, mask = sources.take(rows).padded(fill=PAD_ID)
            output = self.model.generate(
                input_ids=torch.from_numpy(input_ids.astype("int64")).to(self.device),
                attention_mask=torch.from_numpy(mask.astype("int64")).to(self.device),
                num_beams=k, num_return_sequences=k, max_new_tokens=self.max_new_tokens, do_sample=False,
                output_scores=True, return_dict_in_generate=True,
            )
            # k = 1 is greedy decoding: no beam indices, and its scores are logits (normalising log-probabilities
            # again, as beam search's are, changes nothing).
            beams = getattr(output, "beam_indices", None)
            steps = self.model.compute_transition_scores(output.sequences, output.scores, beams, normalize_logits=True)
            logprobs = steps.sum(dim=1).cpu().tolist()
            texts = self.tokenizer.decode_batch(output.sequences.cpu().tolist(), skip_special_tokens=True)
            for position, row in enumerate(rows):
                chosen = range(position * k, (position + 1) * k)
                results[fits[row]] = [(texts[i], logprobs[i]) for i in chosen]
        return results
