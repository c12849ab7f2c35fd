# The command-line tools (segment, evaluate) with the shipped models, for batch jobs on a cluster: a
# Kubernetes Indexed Job or a Slurm job array over a shared folder (docs/cluster.md). Nothing is fetched
# at run time: the models are in the image and the tools make no network requests.
#
#   docker build -t unet-studio-cli .
#   docker run --rm --network none -v /data:/data unet-studio-cli \
#     cli/segment.ts --model public/models/nuclei --in /data/in --out /data/out [--shard K/N] [--workers N]
FROM node:22-slim

ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app

# Runtime dependencies only (.npmrc keeps onnxruntime-node's installer from downloading CUDA binaries),
# plus tsx at the lock file's version: the tools run as TypeScript.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm install --no-save tsx@4.23.15 && npm cache clean --force

# What the tools import (cli -> src/model -> src/image) and the shipped models; tests stay out (.dockerignore).
COPY src/image ./src/image
COPY src/model ./src/model
COPY cli ./cli
COPY public/models ./public/models

USER node
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["cli/segment.ts", "--help"]
